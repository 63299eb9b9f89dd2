# Writes a C++ source holding every migrations/NNNN_name.sql as a string, so the
# binary carries the schema it expects. Run by lib/store at build time.
# Inputs: MIGRATIONS_DIR, OUTPUT.
file(GLOB files RELATIVE "${MIGRATIONS_DIR}" "${MIGRATIONS_DIR}/[0-9][0-9][0-9][0-9]_*.sql")
list(SORT files)
set(body "// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.\n")
string(APPEND body "#include \"store/migrations.hpp\"\n\nnamespace shd::store {\nnamespace {\n")
string(APPEND body "const migration kMigrations[] = {\n")
foreach(f IN LISTS files)
  string(REGEX MATCH "^([0-9][0-9][0-9][0-9])_(.*)\\.sql$" _ "${f}")
  set(version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  math(EXPR version "${version}")
  file(READ "${MIGRATIONS_DIR}/${f}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"shd_sql(${sql})shd_sql\"},\n")
endforeach()
string(APPEND body "};\n}  // namespace\n\nstd::span<const migration> bundled_migrations() { return kMigrations; }\n\n}  // namespace shd::store\n")
file(WRITE "${OUTPUT}.tmp" "${body}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)

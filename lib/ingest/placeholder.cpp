namespace shd::ingest {}

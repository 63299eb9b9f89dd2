namespace shd::report {}

namespace shd::net {}

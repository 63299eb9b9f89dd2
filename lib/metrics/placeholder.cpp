namespace shd::metrics {}

namespace shd::delivery {}

namespace shd::alerts {}

// The one translation unit that compiles Boost.URL (header-only by default in
// Boost 1.81 only through this file). Every other file includes its headers.
#include <boost/url/src.hpp>

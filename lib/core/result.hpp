// Expected failures are values: every fallible operation on outside input
// (files, network, config) returns shd::result<T, E>. Broken invariants are not
// expected failures; they throw std::logic_error or abort.
#pragma once

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>

namespace shd {

template <class T, class E>
using result = boost::system::result<T, E>;

// A plain message for failures whose only consumer is a human.
struct error_message {
    std::string text;
};

// boost::system::result::value() calls this when it holds an error; reaching it
// means the caller skipped the check, which is a programming error.
[[noreturn]] inline void throw_exception_from_error(error_message const& e,
                                                    boost::source_location const&) {
    throw std::logic_error("unchecked result: " + e.text);
}

}  // namespace shd

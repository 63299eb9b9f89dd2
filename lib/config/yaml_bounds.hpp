// Bounds a configuration text before yaml-cpp builds a tree from it. yaml-cpp
// 0.7 (Debian 12) loops without end on some malformed streams (a lone ',' makes
// LoadAll add empty documents until memory runs out), and a small file of
// nested aliases expands to a tree far larger than the file. This walks the
// parser's events once, with its own document loop, and refuses: a second
// document, a document that does not consume its input, more than max_nodes
// nodes once every alias is expanded, or nesting deeper than max_depth. Pure
// function of the text; yaml-cpp's own exceptions pass through to the caller.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace shd::config {

struct yaml_limits {
    std::size_t max_nodes = 20000;  // a full config with 50 channels is under 2000
    std::size_t max_depth = 32;     // the schema itself is 4 deep
};

struct yaml_problem {
    int line = 0;    // 1-based
    int column = 0;  // 1-based
    std::string message;
};

std::optional<yaml_problem> check_yaml_bounds(std::string_view yaml_text,
                                              const yaml_limits& limits = {});

}  // namespace shd::config

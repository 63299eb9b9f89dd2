#include "config/yaml_bounds.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <map>
#include <sstream>
#include <vector>

namespace shd::config {
namespace {

struct limit_exceeded {
    YAML::Mark mark;
    std::string message;
};

// Counts nodes as the tree yaml-cpp would build them, with each alias counted
// at the full size of the node it names: that size, not the file's, is what
// the validator walks.
class bounded_counter final : public YAML::EventHandler {
  public:
    explicit bounded_counter(const yaml_limits& limits) : limits_(limits) {}

    YAML::Mark document_start;
    std::optional<YAML::Mark> document_root;  // where the document's first value is

    void OnDocumentStart(const YAML::Mark& mark) override {
        document_start = mark;
        document_root.reset();
    }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, 1); }
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
        const auto it = anchor_sizes_.find(anchor);
        // An alias to a node still open (a recursive alias) is refused by
        // yaml-cpp itself; count it as one node here.
        leaf(mark, 0, it == anchor_sizes_.end() ? 1 : it->second);
    }
    void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  const std::string&) override {
        leaf(mark, anchor, 1);
    }
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(mark, anchor);
    }
    void OnMapEnd() override { close(); }

  private:
    struct open_node {
        YAML::anchor_t anchor;
        std::size_t size;
    };

    void add(const YAML::Mark& mark, std::size_t size) {
        if (!document_root)
            document_root = mark;
        total_ += size;
        if (total_ > limits_.max_nodes) {
            throw limit_exceeded{mark, fmt::format("the document has more than {} values once "
                                                   "its aliases are expanded; is it the "
                                                   "configuration file?",
                                                   limits_.max_nodes)};
        }
        if (!open_.empty())
            open_.back().size += size;
    }
    void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, std::size_t size) {
        add(mark, size);
        if (anchor != 0)
            anchor_sizes_[anchor] = size;
    }
    void open(const YAML::Mark& mark, YAML::anchor_t anchor) {
        if (open_.size() >= limits_.max_depth) {
            throw limit_exceeded{
                mark, fmt::format("values are nested more than {} deep", limits_.max_depth)};
        }
        add(mark, 1);
        open_.push_back({anchor, 1});
    }
    void close() {
        const open_node done = open_.back();
        open_.pop_back();
        // The node's own 1 was added at open; its children were added as they
        // came, so only the parent's running size needs the rest.
        if (!open_.empty())
            open_.back().size += done.size - 1;
        if (done.anchor != 0)
            anchor_sizes_[done.anchor] = done.size;
    }

    const yaml_limits& limits_;
    std::vector<open_node> open_;
    std::map<YAML::anchor_t, std::size_t> anchor_sizes_;
    std::size_t total_ = 0;
};

yaml_problem problem_at(const YAML::Mark& mark, std::string message) {
    return {mark.line + 1, mark.column + 1, std::move(message)};
}

}  // namespace

std::optional<yaml_problem> check_yaml_bounds(std::string_view yaml_text,
                                              const yaml_limits& limits) {
    std::istringstream in{std::string(yaml_text)};
    YAML::Parser parser(in);
    bounded_counter counter(limits);
    try {
        // A document whose first value sits where the previous document's
        // did means the parser stopped consuming input: yaml-cpp would go on
        // returning the same empty document for ever. Three documents are
        // enough to tell a stuck parser from a file with a second document.
        std::vector<YAML::Mark> roots;
        while (roots.size() < 3 && parser.HandleNextDocument(counter)) {
            const YAML::Mark root = counter.document_root.value_or(counter.document_start);
            if (!roots.empty() && root.pos == roots.back().pos) {
                const auto at = static_cast<std::size_t>(std::max(0, root.pos));
                const unsigned char c = at < yaml_text.size() ? yaml_text[at] : 0;
                return problem_at(
                    root,
                    c >= 0x21 && c < 0x7f
                        ? fmt::format("YAML syntax error: unexpected '{}'", static_cast<char>(c))
                        : std::string("YAML syntax error: unexpected character"));
            }
            roots.push_back(root);
        }
        if (roots.size() < 2)
            return std::nullopt;
        return problem_at(roots[1],
                          "a second YAML document starts here (after a '---' line); a "
                          "configuration file holds one");
    } catch (const limit_exceeded& e) {
        return problem_at(e.mark, e.message);
    }
}

}  // namespace shd::config

#include "common.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <iostream>

namespace shd::cli {
namespace {

// "%*" in the pattern: the sd-daemon(3) priority of the line, e.g. "<4>".
class journal_priority_flag final : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& msg, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        int priority = 6;
        switch (msg.level) {
            case spdlog::level::trace:
            case spdlog::level::debug: priority = 7; break;
            case spdlog::level::info: priority = 6; break;
            case spdlog::level::warn: priority = 4; break;
            case spdlog::level::err: priority = 3; break;
            case spdlog::level::critical: priority = 2; break;
            default: break;
        }
        const char text[] = {'<', static_cast<char>('0' + priority), '>'};
        dest.append(text, text + 3);
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<journal_priority_flag>();
    }
};

}  // namespace

std::optional<config::config> load_config_or_report(const std::string& path) {
    auto loaded = config::load_config(path);
    if (!loaded) {
        std::cerr << "seller-healthd: " << loaded.error().to_string() << "\n";
        return std::nullopt;
    }
    return std::move(*loaded);
}

void setup_logging(const std::string& level) {
    auto logger = spdlog::stderr_logger_mt("seller-healthd");
    if (std::getenv("JOURNAL_STREAM") != nullptr) {
        // journald stamps the time itself and reads the level from the prefix.
        auto formatter = std::make_unique<spdlog::pattern_formatter>();
        formatter->add_flag<journal_priority_flag>('*').set_pattern("%*%v");
        logger->set_formatter(std::move(formatter));
    } else {
        logger->set_pattern("%Y-%m-%dT%H:%M:%S%z %l %v");
    }
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace shd::cli

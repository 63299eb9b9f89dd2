#include "metrics/evaluation.hpp"

#include <array>
#include <tuple>

namespace shd::metrics {
namespace {

constexpr std::array<std::pair<metric_status, std::string_view>, 4> kStatusNames{{
    {metric_status::ok, "ok"},
    {metric_status::at_risk, "at_risk"},
    {metric_status::breached, "breached"},
    {metric_status::no_data, "no_data"},
}};

int catalog_rank(metric_key key) {
    int rank = 0;
    for (const auto& m : all_metrics()) {
        if (m.key == key)
            return rank;
        ++rank;
    }
    return rank;
}

}  // namespace

std::string_view status_name(metric_status s) {
    for (const auto& [status, name] : kStatusNames) {
        if (status == s)
            return name;
    }
    return "no_data";
}

std::optional<metric_status> status_from_name(std::string_view name) {
    for (const auto& [status, known] : kStatusNames) {
        if (known == name)
            return status;
    }
    return std::nullopt;
}

int channel_rank(std::string_view channel) {
    if (channel == "MFN")
        return 0;
    if (channel == "AFN")
        return 1;
    return 2;
}

bool result_order(const metric_result& a, const metric_result& b) {
    return std::make_tuple(std::string_view(a.marketplace_id), catalog_rank(a.metric),
                           channel_rank(a.channel), a.window_days) <
           std::make_tuple(std::string_view(b.marketplace_id), catalog_rank(b.metric),
                           channel_rank(b.channel), b.window_days);
}

}  // namespace shd::metrics

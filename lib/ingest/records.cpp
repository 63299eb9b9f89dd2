#include "ingest/records.hpp"

#include <stdexcept>

namespace shd::ingest {

std::string_view format_name(file_format f) {
    switch (f) {
        case file_format::all_orders:
            return "all_orders";
        case file_format::unshipped:
            return "unshipped";
        case file_format::feedback:
            return "feedback";
        case file_format::account_health:
            return "account_health";
        case file_format::shipments:
            return "shipments";
        case file_format::defects:
            return "defects";
        case file_format::messages:
            return "messages";
        case file_format::mailbox:
            return "mailbox";
    }
    throw std::logic_error("format_name: unknown file_format");
}

}  // namespace shd::ingest

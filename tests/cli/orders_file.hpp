// The All Orders export the alert tests through the binary feed in: 100 US
// MFN orders bought 2025-10-01T10:00Z (inside the 7-day cancellation window
// for the first days of October), the first `cancelled` cancelled by the
// seller; `updated` is the export's last-updated-date, so each later export
// replaces the one before.
#pragma once

#include <string>

namespace shd::test {

inline std::string orders_file(int cancelled, const std::string& updated) {
    std::string text =
        "amazon-order-id\tpurchase-date\tlast-updated-date\torder-status\tfulfillment-channel\t"
        "sales-channel\n";
    for (int i = 0; i < 100; ++i) {
        text += "111-0000000-" + std::to_string(1000000 + i) + "\t2025-10-01T10:00:00Z\t" +
                updated + "\t" + (i < cancelled ? "Cancelled" : "Shipped") +
                "\tMerchant\tAmazon.com\n";
    }
    return text;
}

}  // namespace shd::test

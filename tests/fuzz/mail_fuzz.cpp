// The mailbox classifier (GMime underneath) on an arbitrary message, read
// both as a buyer message and as a reply, with and without a delivery time.
#include <cstdint>
#include <string_view>

#include "mailbox/classify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shd;
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    const instant delivered{std::chrono::seconds(1765000000)};
    for (const auto role : {mailbox::folder_role::buyer, mailbox::folder_role::reply}) {
        auto c = mailbox::classify_message(raw, role, size % 2 ? std::optional<instant>(delivered)
                                                               : std::nullopt);
        if (!c)
            (void)c.error().text.size();
    }
    return 0;
}

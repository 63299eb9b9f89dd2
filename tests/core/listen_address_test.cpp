#include "core/listen_address.hpp"

#include <gtest/gtest.h>

namespace shd {
namespace {

TEST(ListenAddress, ReadsIpv4Ipv6AndLocalhost) {
    auto v4 = parse_listen_address("127.0.0.1:9110");
    ASSERT_TRUE(v4);
    EXPECT_EQ(*v4, (listen_address{"127.0.0.1", 9110, false}));
    EXPECT_TRUE(is_loopback(*v4));

    auto v6 = parse_listen_address("[::1]:80");
    ASSERT_TRUE(v6);
    EXPECT_EQ(*v6, (listen_address{"::1", 80, true}));
    EXPECT_TRUE(is_loopback(*v6));

    auto local = parse_listen_address("localhost:9110");
    ASSERT_TRUE(local);
    EXPECT_EQ(local->host, "127.0.0.1");

    auto any = parse_listen_address("0.0.0.0:9110");
    ASSERT_TRUE(any);
    EXPECT_FALSE(is_loopback(*any));
}

TEST(ListenAddress, SaysWhatIsWrong) {
    const auto error = [](const char* text) {
        auto r = parse_listen_address(text);
        return r ? std::string("(accepted)") : r.error().text;
    };
    EXPECT_EQ(error("9110"), "expected HOST:PORT such as 127.0.0.1:9110");
    EXPECT_EQ(error("127.0.0.1:"), "expected HOST:PORT such as 127.0.0.1:9110");
    EXPECT_EQ(error("127.0.0.1:70000"), "the port 70000 is out of range 1 to 65535");
    EXPECT_EQ(error("127.0.0.1:0"), "the port 0 is out of range 1 to 65535");
    EXPECT_EQ(error("127.0.0.1:http"), "the port 'http' is not a number");
    EXPECT_EQ(error("::1:9110"), "an IPv6 address is written in brackets: [::1]:9110");
    EXPECT_NE(error("example.com:9110").find("'example.com' is not an IP address"),
              std::string::npos);
    EXPECT_NE(error("127.0.0.256:9110").find("is not an IP address"), std::string::npos);
}

}  // namespace
}  // namespace shd

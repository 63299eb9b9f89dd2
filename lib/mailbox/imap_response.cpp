#include "mailbox/imap_response.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>

namespace shd::mailbox::detail {
namespace {

std::optional<long long> number_after(std::string_view text, std::string_view prefix) {
    const auto at = text.find(prefix);
    if (at == std::string_view::npos)
        return std::nullopt;
    const char* begin = text.data() + at + prefix.size();
    long long value = 0;
    const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (ec != std::errc{} || end == begin)
        return std::nullopt;
    return value;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(a[i])) !=
            std::toupper(static_cast<unsigned char>(b[i])))
            return false;
    }
    return true;
}

// A cursor over the response with the few IMAP token kinds FETCH data uses.
class reader {
  public:
    explicit reader(std::string_view text) : text_(text) {}
    bool done() const { return pos_ >= text_.size(); }
    std::size_t pos() const { return pos_; }
    void seek(std::size_t p) { pos_ = p; }
    char peek() const { return done() ? '\0' : text_[pos_]; }
    void skip_spaces() {
        while (!done() && text_[pos_] == ' ')
            ++pos_;
    }
    bool eat(char c) {
        skip_spaces();
        if (peek() != c)
            return false;
        ++pos_;
        return true;
    }
    // An atom; brackets may hold spaces and parentheses ("BODY[TEXT]<0>").
    std::string_view atom() {
        skip_spaces();
        const std::size_t start = pos_;
        int depth = 0;
        while (!done()) {
            const char c = text_[pos_];
            if (c == '[')
                ++depth;
            else if (c == ']')
                depth = depth > 0 ? depth - 1 : 0;
            else if (depth == 0 && (c == ' ' || c == '(' || c == ')' || c == '\r' || c == '\n'))
                break;
            ++pos_;
        }
        return text_.substr(start, pos_ - start);
    }
    // NIL, a quoted string or a literal; nullopt when it is none of them.
    std::optional<std::string> string_value() {
        skip_spaces();
        if (peek() == '"') {
            std::string out;
            ++pos_;
            while (!done() && text_[pos_] != '"') {
                if (text_[pos_] == '\\' && pos_ + 1 < text_.size())
                    ++pos_;
                out += text_[pos_++];
            }
            if (done())
                return std::nullopt;
            ++pos_;
            return out;
        }
        if (peek() == '{') {
            const auto close = text_.find('}', pos_);
            if (close == std::string_view::npos)
                return std::nullopt;
            std::size_t length = 0;
            const auto [end, ec] =
                std::from_chars(text_.data() + pos_ + 1, text_.data() + close, length);
            if (ec != std::errc{} || end != text_.data() + close)
                return std::nullopt;
            std::size_t data = close + 1;
            if (text_.substr(data, 2) == "\r\n")
                data += 2;
            else if (text_.substr(data, 1) == "\n")
                data += 1;
            else
                return std::nullopt;
            if (data + length > text_.size())
                return std::nullopt;
            pos_ = data + length;
            return std::string(text_.substr(data, length));
        }
        const auto word = atom();
        if (iequals(word, "NIL"))
            return std::string();
        return std::nullopt;
    }
    // Skips one value of any kind, lists included.
    bool skip_value() {
        skip_spaces();
        if (peek() == '(') {
            ++pos_;
            while (!eat(')')) {
                if (done() || !skip_value())
                    return false;
            }
            return true;
        }
        if (peek() == '"' || peek() == '{')
            return string_value().has_value();
        return !atom().empty();
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

// Parses the parenthesised data of one FETCH starting at the '('.
std::optional<fetched_message> fetch_data(reader& r) {
    if (!r.eat('('))
        return std::nullopt;
    fetched_message m;
    bool has_uid = false;
    while (!r.eat(')')) {
        if (r.done())
            return std::nullopt;
        const std::string name(r.atom());
        if (name.empty())
            return std::nullopt;
        if (iequals(name, "UID")) {
            const auto value = r.atom();
            const auto [end, ec] =
                std::from_chars(value.data(), value.data() + value.size(), m.uid);
            if (ec != std::errc{} || end != value.data() + value.size())
                return std::nullopt;
            has_uid = true;
        } else if (iequals(name, "INTERNALDATE")) {
            auto value = r.string_value();
            if (!value)
                return std::nullopt;
            m.internal_date = parse_internal_date(*value);
        } else if (iequals(name.substr(0, 11), "BODY[HEADER")) {
            auto value = r.string_value();
            if (!value)
                return std::nullopt;
            m.header = std::move(*value);
        } else if (iequals(name.substr(0, 10), "BODY[TEXT]")) {
            auto value = r.string_value();
            if (!value)
                return std::nullopt;
            m.text = std::move(*value);
        } else if (iequals(name.substr(0, 6), "BODY[]")) {
            auto value = r.string_value();
            if (!value)
                return std::nullopt;
            m.text = std::move(*value);
            m.whole = true;
        } else if (!r.skip_value()) {
            return std::nullopt;
        }
    }
    if (!has_uid)
        return std::nullopt;
    return m;
}

}  // namespace

examine_result parse_examine(std::string_view response) {
    examine_result out;
    out.uidvalidity = number_after(response, "[UIDVALIDITY ");
    out.uidnext = number_after(response, "[UIDNEXT ");
    // "* 3 EXISTS": the number before the word.
    for (std::size_t at = response.find(" EXISTS"); at != std::string_view::npos;
         at = response.find(" EXISTS", at + 1)) {
        const auto line_start = response.rfind('\n', at);
        const auto begin = line_start == std::string_view::npos ? 0 : line_start + 1;
        const auto line = response.substr(begin, at - begin);
        if (line.starts_with("* ")) {
            long long n = 0;
            const auto [end, ec] = std::from_chars(line.data() + 2, line.data() + line.size(), n);
            if (ec == std::errc{} && end == line.data() + line.size())
                out.exists = n;
        }
    }
    return out;
}

fetch_response parse_fetch(std::string_view response) {
    fetch_response out;
    reader r(response);
    std::size_t line = 0;
    bool tagged_completion = false;
    while (line < response.size()) {
        // At the start of a response line: "* N FETCH (", the tagged
        // completion, or another untagged response.
        const auto rest = response.substr(line);
        bool parsed = false;
        tagged_completion = false;
        if (rest.starts_with("* ")) {
            r.seek(line + 2);
            const auto number = r.atom();
            const auto word = r.atom();
            if (!number.empty() && std::isdigit(static_cast<unsigned char>(number[0])) &&
                iequals(word, "FETCH")) {
                const std::size_t data = r.pos();
                if (auto m = fetch_data(r)) {
                    out.messages.push_back(std::move(*m));
                    parsed = true;
                } else {
                    out.cut = true;
                    r.seek(data);
                    if (r.eat('(') && iequals(r.atom(), "UID")) {
                        const auto value = r.atom();
                        long long uid = 0;
                        const auto [end, ec] =
                            std::from_chars(value.data(), value.data() + value.size(), uid);
                        if (ec == std::errc{} && end == value.data() + value.size())
                            out.cut_uid = uid;
                    }
                    return out;
                }
            }
        } else if (!rest.starts_with("+ ") && !rest.starts_with("\r\n") && !rest.empty()) {
            // "A004 OK ...": a tag is an atom followed by a space.
            const auto space = rest.find(' ');
            const auto eol = rest.find('\n');
            tagged_completion = space != std::string_view::npos && space > 0 &&
                                (eol == std::string_view::npos || space < eol);
        }
        std::size_t from = parsed ? r.pos() : line;
        const auto next = response.find('\n', from);
        if (next == std::string_view::npos)
            break;
        line = next + 1;
    }
    out.cut = !tagged_completion;
    return out;
}

std::optional<instant> parse_internal_date(std::string_view text) {
    // " 7-Dec-2026 15:26:43 +0000" or "07-Dec-2026 ..."
    std::string s(text);
    int day = 0, year = 0, hour = 0, minute = 0, second = 0, zone = 0;
    char month[4] = {};
    char sign = '+';
    if (std::sscanf(s.c_str(), " %d-%3s-%d %d:%d:%d %c%d", &day, month, &year, &hour, &minute,
                    &second, &sign, &zone) != 8)
        return std::nullopt;
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    unsigned month_index = 0;
    while (month_index < kMonths.size() && !iequals(kMonths[month_index], month))
        ++month_index;
    if (month_index == kMonths.size() || (sign != '+' && sign != '-'))
        return std::nullopt;
    const std::chrono::year_month_day ymd{std::chrono::year{year},
                                          std::chrono::month{month_index + 1},
                                          std::chrono::day{static_cast<unsigned>(day)}};
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)
        return std::nullopt;
    const auto offset = std::chrono::minutes{(zone / 100) * 60 + zone % 100};
    const instant local = std::chrono::sys_days{ymd} + std::chrono::hours{hour} +
                          std::chrono::minutes{minute} + std::chrono::seconds{second};
    return sign == '+' ? local - offset : local + offset;
}

namespace {

// The code points of `text`; a byte that does not start valid UTF-8 is
// itself a code point (Latin-1).
std::vector<char32_t> code_points(std::string_view text) {
    std::vector<char32_t> out;
    for (std::size_t i = 0; i < text.size();) {
        const auto b = static_cast<unsigned char>(text[i]);
        const int length = b < 0x80           ? 1
                           : (b >> 5) == 0x6  ? 2
                           : (b >> 4) == 0xE  ? 3
                           : (b >> 3) == 0x1E ? 4
                                              : 0;
        char32_t c = length == 1   ? b
                     : length == 2 ? (b & 0x1F)
                     : length == 3 ? (b & 0x0F)
                                   : (b & 0x07);
        bool valid = length > 0 && i + static_cast<std::size_t>(length) <= text.size();
        for (int k = 1; valid && k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + static_cast<std::size_t>(k)]);
            valid = (next & 0xC0) == 0x80;
            c = (c << 6) | (next & 0x3F);
        }
        if (!valid || c > 0x10FFFF) {
            out.push_back(b);
            ++i;
        } else {
            out.push_back(c);
            i += static_cast<std::size_t>(length);
        }
    }
    return out;
}

}  // namespace

std::string modified_utf7(std::string_view name) {
    static constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    std::string out;
    std::vector<std::uint16_t> run;  // UTF-16 units waiting to be encoded
    const auto flush = [&] {
        if (run.empty())
            return;
        out += '&';
        std::uint32_t bits = 0;
        int count = 0;
        for (const std::uint16_t unit : run) {
            bits = (bits << 16) | unit;
            count += 16;
            while (count >= 6) {
                count -= 6;
                out += kAlphabet[(bits >> count) & 0x3F];
            }
        }
        if (count > 0)
            out += kAlphabet[(bits << (6 - count)) & 0x3F];
        out += '-';
        run.clear();
    };
    for (const char32_t c : code_points(name)) {
        if (c >= 0x20 && c <= 0x7E) {
            flush();
            out += c == '&' ? std::string("&-") : std::string(1, static_cast<char>(c));
        } else if (c >= 0x10000) {
            const char32_t v = c - 0x10000;
            run.push_back(static_cast<std::uint16_t>(0xD800 + (v >> 10)));
            run.push_back(static_cast<std::uint16_t>(0xDC00 + (v & 0x3FF)));
        } else {
            run.push_back(static_cast<std::uint16_t>(c));
        }
    }
    flush();
    return out;
}

std::string quote_mailbox(std::string_view name) {
    std::string out = "\"";
    for (const char c : modified_utf7(name)) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

}  // namespace shd::mailbox::detail

#include "core/credentials.hpp"

#include <fstream>
#include <iterator>

namespace shd {

bool is_credential_reference(std::string_view value) {
    return value.starts_with(kCredentialPrefix);
}

std::optional<std::string> credential_name_problem(std::string_view name) {
    if (name.empty())
        return "no credential name after 'credential:'";
    if (name.size() > 255)
        return "the credential name is longer than 255 characters";
    if (name.front() == '.')
        return "a credential name does not start with '.'";
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return "a credential name has only letters, digits, '-', '_' and '.', as in "
                   "LoadCredential=NAME:/path";
    }
    return std::nullopt;
}

result<std::filesystem::path, error_message> credential_path(std::string_view reference,
                                                             const char* credentials_directory) {
    const std::string_view name = reference.substr(kCredentialPrefix.size());
    if (auto problem = credential_name_problem(name))
        return error_message{*problem};
    if (credentials_directory == nullptr || *credentials_directory == '\0') {
        return error_message{"credential " + std::string(name) +
                             ": $CREDENTIALS_DIRECTORY is not set (the unit needs LoadCredential=" +
                             std::string(name) + ":/path/to/file)"};
    }
    return {boost::system::in_place_value,
            std::filesystem::path(credentials_directory) / std::string(name)};
}

result<std::string, error_message> read_credential(std::string_view reference,
                                                   const char* credentials_directory) {
    auto path = credential_path(reference, credentials_directory);
    if (!path)
        return path.error();
    const std::string name(reference.substr(kCredentialPrefix.size()));
    std::ifstream in(*path, std::ios::binary);
    if (!in)
        return error_message{"credential " + name + " cannot be read (" + path->string() + ")"};
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (content.ends_with("\r\n"))
        content.resize(content.size() - 2);
    else if (content.ends_with('\n'))
        content.pop_back();
    if (content.empty())
        return error_message{"credential " + name + " is empty"};
    return {boost::system::in_place_value, std::move(content)};
}

}  // namespace shd

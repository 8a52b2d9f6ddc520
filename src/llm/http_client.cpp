#include "llm/http_client.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <stdexcept>

namespace remask {
namespace {

void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* user) {
    auto* result = static_cast<HttpResult*>(user);
    if (result->body.size() + size * count > HttpClient::kMaxReplyBytes) {
        result->reply_too_large = true;
        return 0;  // curl stops the transfer with CURLE_WRITE_ERROR
    }
    result->body.append(data, size * count);
    return size * count;
}

// Keeps the two headers retries need; curl calls this once per header line.
size_t read_header(char* data, size_t size, size_t count, void* user) {
    size_t length = size * count;
    std::string line(data, length);
    auto colon = line.find(':');
    if (colon == std::string::npos) return length;
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    size_t start = value.find_first_not_of(" \t");
    value = start == std::string::npos ? "" : value.substr(start);
    auto* result = static_cast<HttpResult*>(user);
    if (name == "retry-after") result->retry_after = value;
    if (name == "retry-after-ms") result->retry_after_ms = value;
    return length;
}

}  // namespace

HttpClient::HttpClient() { init_curl_once(); }

HttpClient::~HttpClient() {
    for (CURL* handle : idle_) curl_easy_cleanup(handle);
}

CURL* HttpClient::borrow() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            CURL* handle = idle_.back();
            idle_.pop_back();
            return handle;
        }
    }
    CURL* handle = curl_easy_init();
    if (!handle) throw std::runtime_error("curl_easy_init failed");
    return handle;
}

void HttpClient::give_back(CURL* handle) {
    std::lock_guard lock(mutex_);
    idle_.push_back(handle);
}

HttpResult HttpClient::post(const std::string& url, const std::string& body,
                            const std::vector<std::string>& headers, double timeout_s) {
    return perform(url, &body, headers, timeout_s);
}

HttpResult HttpClient::get(const std::string& url, const std::vector<std::string>& headers,
                           double timeout_s) {
    return perform(url, nullptr, headers, timeout_s);
}

HttpResult HttpClient::perform(const std::string& url, const std::string* body,
                               const std::vector<std::string>& headers, double timeout_s) {
    HttpResult result;
    CURL* handle = borrow();
    // reset() clears options but keeps the handle's open connections.
    curl_easy_reset(handle);
    curl_slist* header_list = nullptr;
    for (const auto& header : headers) header_list = curl_slist_append(header_list, header.c_str());
    if (body) {
        header_list = curl_slist_append(header_list, "Content-Type: application/json");
        // curl would otherwise wait for "100 Continue" on bodies over 1 KiB.
        header_list = curl_slist_append(header_list, "Expect:");
        curl_easy_setopt(handle, CURLOPT_POST, 1L);
        curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body->data());
        curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body->size()));
    }
    curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for timeouts
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, long(std::max(1.0, timeout_s * 1000.0)));
    curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, long(std::max(1.0, std::min(timeout_s, 30.0) * 1000.0)));
    // No Accept-Encoding: replies are small, and compressing them costs servers more time
    // than the bytes saved (a brotli-compressing server spent 60% of a benchmark on it).
    curl_easy_setopt(handle, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(handle, CURLOPT_USERAGENT, "remask");
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, &result);
    curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, read_header);
    curl_easy_setopt(handle, CURLOPT_HEADERDATA, &result);
    char error_buffer[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);

    result.curl_code = curl_easy_perform(handle);
    if (result.curl_code != CURLE_OK) {
        result.transport_error = result.reply_too_large
                                     ? "reply larger than " + std::to_string(HttpClient::kMaxReplyBytes) + " bytes"
                                     : error_buffer[0] ? error_buffer : curl_easy_strerror(result.curl_code);
        result.body.clear();
    } else {
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &result.status);
        char* content_type = nullptr;
        curl_easy_getinfo(handle, CURLINFO_CONTENT_TYPE, &content_type);
        if (content_type) result.content_type = content_type;
    }
    // Drop the pointers into this call's memory before the handle is reused.
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(header_list);
    give_back(handle);
    return result;
}

}  // namespace remask

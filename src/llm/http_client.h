#pragma once
// Blocking HTTP over libcurl, safe from many threads at once: each call borrows an easy
// handle from a pool and gives it back, so its connection stays open and the next request
// to the same server reuses it (keep-alive), with no lock held while a request runs.
//
//   HttpClient http;
//   HttpResult r = http.post("http://127.0.0.1:8080/v1/chat/completions", body,
//                            {"Authorization: Bearer ..."}, /*timeout_s=*/60);
//   if (!r.transport_ok()) ... r.transport_error ...
//
// Header values given here are never logged.

#include <curl/curl.h>

#include <mutex>
#include <string>
#include <vector>

namespace remask {

struct HttpResult {
    CURLcode curl_code = CURLE_OK;
    std::string transport_error;  // curl's message when curl_code != CURLE_OK
    long status = 0;
    std::string content_type;
    std::string retry_after;      // the Retry-After header, "" when absent
    std::string retry_after_ms;   // OpenAI's retry-after-ms header, "" when absent
    std::string body;
    bool reply_too_large = false;  // the body passed HttpClient::kMaxReplyBytes; transfer stopped

    bool transport_ok() const { return curl_code == CURLE_OK; }
};

class HttpClient {
public:
    // A reply body past this size is outside input gone wrong (no chat or scorer reply comes
    // near it): the transfer stops with a transport error instead of growing memory.
    static constexpr size_t kMaxReplyBytes = size_t(64) << 20;

    HttpClient();
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    HttpResult post(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers, double timeout_s);
    HttpResult get(const std::string& url, const std::vector<std::string>& headers, double timeout_s);

private:
    HttpResult perform(const std::string& url, const std::string* body,
                       const std::vector<std::string>& headers, double timeout_s);
    CURL* borrow();
    void give_back(CURL* handle);

    std::mutex mutex_;
    std::vector<CURL*> idle_;
};

}  // namespace remask

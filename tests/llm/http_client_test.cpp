#include "llm/http_client.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

namespace remask {
namespace {

// A reply past kMaxReplyBytes stops the transfer with a transport error naming the bound,
// instead of being buffered whole.
TEST(HttpClient, AReplyPastTheBoundIsATransportErrorNotMemory) {
    httplib::Server server;
    const std::string big(HttpClient::kMaxReplyBytes + 1024, 'x');
    server.Get("/big", [&](const httplib::Request&, httplib::Response& res) { res.set_content(big, "text/plain"); });
    server.Get("/small", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    const int port = server.bind_to_any_port("127.0.0.1");
    std::thread thread([&] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();

    HttpClient client;
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    HttpResult too_big = client.get(base + "/big", {}, 30);
    EXPECT_FALSE(too_big.transport_ok());
    EXPECT_TRUE(too_big.reply_too_large);
    EXPECT_NE(too_big.transport_error.find("reply larger than"), std::string::npos) << too_big.transport_error;
    EXPECT_TRUE(too_big.body.empty());
    HttpResult small = client.get(base + "/small", {}, 30);  // the handle is reusable after the stop
    EXPECT_TRUE(small.transport_ok()) << small.transport_error;
    EXPECT_EQ(small.body, "ok");

    server.stop();
    thread.join();
}

}  // namespace
}  // namespace remask

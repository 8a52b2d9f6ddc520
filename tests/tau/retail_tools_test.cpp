// Each retail tool on a small fixture database: its success path (exact output text, and
// the records it changes) and every error message it can give.
#include <gtest/gtest.h>

#include "retail_fixture.h"
#include "tasks/tau/environment.h"

namespace remask::tau {
namespace {

const std::string kRetailDataDir = std::string(REMASK_SOURCE_DIR) + "/data/tau-bench";



class RetailTools : public ::testing::Test {
protected:
    static const TauDomain& domain() {
        static const TauDomain value = tau_domain_with_data("tau-retail", Json::parse(fixtures::kRetailFixture), kRetailDataDir);
        return value;
    }
    TauEnvironment env{domain()};

    std::string call(const std::string& tool, const Json& kwargs) { return env.invoke(tool, kwargs); }
    Json call_json(const std::string& tool, const Json& kwargs) {
        std::string text = call(tool, kwargs);
        Json value = Json::parse(text, nullptr, false);
        EXPECT_FALSE(value.is_discarded()) << text;
        return value;
    }
    const Json& order(const char* id) { return env.data()["orders"][id]; }
    const Json& method(const char* user, const char* id) { return env.data()["users"][user]["payment_methods"][id]; }
};

TEST_F(RetailTools, SignaturesMatchUpstreamList) {
    ASSERT_EQ(domain().tools.size(), 16u);
    Json tools = domain().openai_tools();
    EXPECT_EQ(tools[0]["type"], "function");
    EXPECT_EQ(tools[0]["function"]["name"], "calculate");
    EXPECT_EQ(tools[15]["function"]["name"], "transfer_to_human_agents");
    EXPECT_TRUE(tools[1]["function"]["parameters"]["required"].is_array());
}

TEST_F(RetailTools, GetOrderDetailsPrintsAsPythonJsonDumps) {
    EXPECT_EQ(call("get_order_details", {{"order_id", "#W3"}}),
              R"({"order_id": "#W3", "user_id": "bob_2", "address": {"address1": "9 Elm St", "address2": "Apt 2", )"
              R"("city": "New York", "country": "USA", "state": "NY", "zip": "10001"}, "items": [{"name": "Lamp", )"
              R"("product_id": "P2", "item_id": "L2", "price": 25.1, "options": {"color": "blue"}}], "fulfillments": [], )"
              R"("status": "pending", "payment_history": [{"transaction_type": "payment", "amount": 25.1, )"
              R"("payment_method_id": "paypal_2"}]})");
    EXPECT_EQ(call("get_order_details", {{"order_id", "W3"}}), "Error: order not found");
}

TEST_F(RetailTools, GetProductAndUserDetails) {
    EXPECT_EQ(call_json("get_product_details", {{"product_id", "P1"}})["variants"]["K3"]["available"], false);
    EXPECT_EQ(call("get_product_details", {{"product_id", "P9"}}), "Error: product not found");
    EXPECT_EQ(call_json("get_user_details", {{"user_id", "bob_2"}})["email"], "bob@example.com");
    EXPECT_EQ(call("get_user_details", {{"user_id", "bob"}}), "Error: user not found");
}

TEST_F(RetailTools, FindUser) {
    EXPECT_EQ(call("find_user_id_by_email", {{"email", "ann.lee@EXAMPLE.com"}}), "ann_1");
    EXPECT_EQ(call("find_user_id_by_email", {{"email", "ann@example.com"}}), "Error: user not found");
    EXPECT_EQ(call("find_user_id_by_name_zip", {{"first_name", "ann"}, {"last_name", "LEE"}, {"zip", "78701"}}), "ann_1");
    EXPECT_EQ(call("find_user_id_by_name_zip", {{"first_name", "Ann"}, {"last_name", "Lee"}, {"zip", "10001"}}),
              "Error: user not found");
}

TEST_F(RetailTools, ListAllProductTypesSortedByName) {
    EXPECT_EQ(call("list_all_product_types", Json::object()), R"({"Keyboard": "P1", "Lamp": "P2"})");
}

TEST_F(RetailTools, ThinkCalculateTransfer) {
    EXPECT_EQ(call("think", {{"thought", "hmm"}}), "");
    EXPECT_EQ(call("transfer_to_human_agents", {{"summary", "help"}}), "Transfer successful");
    EXPECT_TRUE(env.is_terminal("transfer_to_human_agents"));
    EXPECT_EQ(call("calculate", {{"expression", "(100.5 + 20) * 2"}}), "241.0");
    EXPECT_EQ(call("calculate", {{"expression", "2 + x"}}), "Error: invalid characters in expression");
    EXPECT_EQ(call("calculate", {{"expression", "1 / 0"}}), "Error: division by zero");
}

TEST_F(RetailTools, CancelPendingOrderRefundsGiftCardAtOnce) {
    Json out = call_json("cancel_pending_order", {{"order_id", "#W1"}, {"reason", "no longer needed"}});
    EXPECT_EQ(out["status"], "cancelled");
    EXPECT_EQ(out["cancel_reason"], "no longer needed");
    EXPECT_EQ(python_json_dumps(out["payment_history"][1]),
              R"({"transaction_type": "refund", "amount": 120.5, "payment_method_id": "gift_card_1"})");
    EXPECT_EQ(python_json_dumps(method("ann_1", "gift_card_1")["balance"]), "170.5");
    // New keys go last, as Python dicts append them.
    EXPECT_EQ((--order("#W1").end()).key(), "cancel_reason");
}

TEST_F(RetailTools, CancelPendingOrderErrors) {
    EXPECT_EQ(call("cancel_pending_order", {{"order_id", "#W9"}, {"reason", "no longer needed"}}), "Error: order not found");
    EXPECT_EQ(call("cancel_pending_order", {{"order_id", "#W2"}, {"reason", "no longer needed"}}),
              "Error: non-pending order cannot be cancelled");
    EXPECT_EQ(call("cancel_pending_order", {{"order_id", "#W1"}, {"reason", "too slow"}}), "Error: invalid reason");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(RetailTools, ExchangeDeliveredOrderItems) {
    Json out = call_json("exchange_delivered_order_items",
                         {{"order_id", "#W2"}, {"item_ids", {"L1"}}, {"new_item_ids", {"L2"}}, {"payment_method_id", "credit_card_1"}});
    EXPECT_EQ(out["status"], "exchange requested");
    // 25.1 - 20.0 = 5.100000000000001, rounded to 5.1 as upstream does.
    EXPECT_EQ(python_json_dumps(out["exchange_price_difference"]), "5.1");
    EXPECT_EQ(out["exchange_items"], Json({"L1"}));
    EXPECT_EQ(out["exchange_payment_method_id"], "credit_card_1");
}

TEST_F(RetailTools, ExchangeDeliveredOrderItemsErrors) {
    auto exchange = [&](const char* order_id, Json items, Json new_items, const char* payment) {
        return call("exchange_delivered_order_items",
                    {{"order_id", order_id}, {"item_ids", items}, {"new_item_ids", new_items}, {"payment_method_id", payment}});
    };
    EXPECT_EQ(exchange("#W9", {"L1"}, {"L2"}, "credit_card_1"), "Error: order not found");
    EXPECT_EQ(exchange("#W1", {"L1"}, {"L2"}, "credit_card_1"), "Error: non-delivered order cannot be exchanged");
    EXPECT_EQ(exchange("#W2", {"L1", "L1", "L1"}, {"L2", "L2", "L2"}, "credit_card_1"), "Error: L1 not found");
    EXPECT_EQ(exchange("#W2", {"L1"}, {"L2", "L3"}, "credit_card_1"),
              "Error: the number of items to be exchanged should match");
    EXPECT_EQ(exchange("#W2", {"L1"}, {"K2"}, "credit_card_1"), "Error: new item K2 not found or available");
    EXPECT_EQ(exchange("#W2", {"L1"}, {"L2"}, "paypal_2"), "Error: payment method not found");
    EXPECT_EQ(exchange("#W2", {"L1"}, {"L3"}, "gift_card_1"),
              "Error: insufficient gift card balance to pay for the price difference");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(RetailTools, ModifyPendingOrderItemsChargesGiftCard) {
    Json out = call_json("modify_pending_order_items",
                         {{"order_id", "#W1"}, {"item_ids", {"K1"}}, {"new_item_ids", {"K2"}}, {"payment_method_id", "gift_card_1"}});
    EXPECT_EQ(out["status"], "pending (item modified)");
    EXPECT_EQ(python_json_dumps(out["items"][0]),
              R"({"name": "Keyboard", "product_id": "P1", "item_id": "K2", "price": 110.25, "options": {"switch": "clicky"}})");
    EXPECT_EQ(python_json_dumps(out["payment_history"][1]),
              R"({"transaction_type": "payment", "amount": 9.75, "payment_method_id": "gift_card_1"})");
    EXPECT_EQ(python_json_dumps(method("ann_1", "gift_card_1")["balance"]), "40.25");
}

TEST_F(RetailTools, ModifyPendingOrderItemsWithNothingIsAnIntZeroRefund) {
    // diff_price starts as the int 0 upstream and stays one: "amount": 0, a "refund".
    Json out = call_json("modify_pending_order_items",
                         {{"order_id", "#W3"}, {"item_ids", Json::array()}, {"new_item_ids", Json::array()}, {"payment_method_id", "paypal_2"}});
    EXPECT_EQ(python_json_dumps(out["payment_history"][1]),
              R"({"transaction_type": "refund", "amount": 0, "payment_method_id": "paypal_2"})");
}

TEST_F(RetailTools, ModifyPendingOrderItemsErrors) {
    auto modify = [&](const char* order_id, Json items, Json new_items, const char* payment) {
        return call("modify_pending_order_items",
                    {{"order_id", order_id}, {"item_ids", items}, {"new_item_ids", new_items}, {"payment_method_id", payment}});
    };
    EXPECT_EQ(modify("#W9", {"K1"}, {"K2"}, "gift_card_1"), "Error: order not found");
    EXPECT_EQ(modify("#W2", {"L1"}, {"L2"}, "gift_card_1"), "Error: non-pending order cannot be modified");
    EXPECT_EQ(modify("#W1", {"K2"}, {"K1"}, "gift_card_1"), "Error: K2 not found");
    EXPECT_EQ(modify("#W1", {"K1"}, Json::array(), "gift_card_1"), "Error: the number of items to be exchanged should match");
    EXPECT_EQ(modify("#W1", {"K1"}, {"K3"}, "gift_card_1"), "Error: new item K3 not found or available");
    EXPECT_EQ(modify("#W1", {"K1"}, {"K2"}, "paypal_2"), "Error: payment method not found");
    EXPECT_EQ(modify("#W1", {"K1"}, {"K4"}, "gift_card_1"), "Error: insufficient gift card balance to pay for the new item");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(RetailTools, ModifyPendingOrderPaymentRefundsOldGiftCard) {
    Json out = call_json("modify_pending_order_payment", {{"order_id", "#W1"}, {"payment_method_id", "credit_card_1"}});
    ASSERT_EQ(out["payment_history"].size(), 3u);
    EXPECT_EQ(python_json_dumps(out["payment_history"][2]),
              R"({"transaction_type": "refund", "amount": 120.5, "payment_method_id": "gift_card_1"})");
    EXPECT_EQ(python_json_dumps(method("ann_1", "gift_card_1")["balance"]), "170.5");
    EXPECT_EQ(call("modify_pending_order_payment", {{"order_id", "#W1"}, {"payment_method_id", "paypal_1"}}),
              "Error: there should be exactly one payment for a pending order");
}

TEST_F(RetailTools, ModifyPendingOrderPaymentErrors) {
    auto modify = [&](const char* order_id, const char* payment) {
        return call("modify_pending_order_payment", {{"order_id", order_id}, {"payment_method_id", payment}});
    };
    EXPECT_EQ(modify("#W9", "paypal_1"), "Error: order not found");
    EXPECT_EQ(modify("#W2", "paypal_1"), "Error: non-pending order cannot be modified");
    EXPECT_EQ(modify("#W1", "paypal_2"), "Error: payment method not found");
    EXPECT_EQ(modify("#W1", "gift_card_1"), "Error: the new payment method should be different from the current one");
    EXPECT_EQ(modify("#W3", "gift_card_2"), "Error: insufficient gift card balance to pay for the order");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(RetailTools, ModifyAddresses) {
    Json address = {{"address1", "5 Oak Rd"}, {"address2", ""}, {"city", "Dallas"}, {"state", "TX"}, {"country", "USA"}, {"zip", "75001"}};
    Json kwargs = address;
    kwargs["order_id"] = "#W1";
    Json out = call_json("modify_pending_order_address", kwargs);
    // Upstream writes state before country, unlike the data files.
    EXPECT_EQ(python_json_dumps(out["address"]),
              R"({"address1": "5 Oak Rd", "address2": "", "city": "Dallas", "state": "TX", "country": "USA", "zip": "75001"})");
    kwargs["order_id"] = "#W2";
    EXPECT_EQ(call("modify_pending_order_address", kwargs), "Error: non-pending order cannot be modified");
    kwargs["order_id"] = "#W0";
    EXPECT_EQ(call("modify_pending_order_address", kwargs), "Error: order not found");

    Json user_kwargs = address;
    user_kwargs["user_id"] = "bob_2";
    EXPECT_EQ(call_json("modify_user_address", user_kwargs)["address"]["city"], "Dallas");
    user_kwargs["user_id"] = "bob";
    EXPECT_EQ(call("modify_user_address", user_kwargs), "Error: user not found");
}

TEST_F(RetailTools, ReturnDeliveredOrderItems) {
    Json out = call_json("return_delivered_order_items",
                         {{"order_id", "#W2"}, {"item_ids", {"L1", "L1"}}, {"payment_method_id", "gift_card_1"}});
    EXPECT_EQ(out["status"], "return requested");
    EXPECT_EQ(out["return_items"], Json({"L1", "L1"}));
    EXPECT_EQ(out["return_payment_method_id"], "gift_card_1");
}

TEST_F(RetailTools, ReturnDeliveredOrderItemsErrors) {
    auto give_back = [&](const char* order_id, Json items, const char* payment) {
        return call("return_delivered_order_items", {{"order_id", order_id}, {"item_ids", items}, {"payment_method_id", payment}});
    };
    EXPECT_EQ(give_back("#W9", {"L1"}, "credit_card_1"), "Error: order not found");
    EXPECT_EQ(give_back("#W1", {"L1"}, "credit_card_1"), "Error: non-delivered order cannot be returned");
    EXPECT_EQ(give_back("#W2", {"L1"}, "paypal_2"), "Error: payment method not found");
    EXPECT_EQ(give_back("#W2", {"L1"}, "paypal_1"),
              "Error: payment method should be either the original payment method or a gift card");
    EXPECT_EQ(give_back("#W2", {"L1", "L1", "L1"}, "credit_card_1"), "Error: some item not found");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(RetailTools, ArgumentsAreCheckedAsPythonCallsThem) {
    EXPECT_EQ(call("cancel_pending_order", {{"order_id", "#W1"}}),
              "Error: CancelPendingOrder.invoke() missing 1 required positional argument: 'reason'");
    EXPECT_EQ(call("cancel_pending_order", Json::object()),
              "Error: CancelPendingOrder.invoke() missing 2 required positional arguments: 'order_id' and 'reason'");
    EXPECT_EQ(call("get_order_details", {{"order_id", "#W1"}, {"verbose", true}}),
              "Error: GetOrderDetails.invoke() got an unexpected keyword argument 'verbose'");
    EXPECT_EQ(call("modify_user_address", {{"user_id", "ann_1"}}),
              "Error: ModifyUserAddress.invoke() missing 6 required positional arguments: 'address1', 'address2', "
              "'city', 'state', 'country', and 'zip'");
    EXPECT_EQ(call("get_order_details", {{"order_id", 12}}), "Error: argument 'order_id' must be str, not int");
    EXPECT_EQ(call("return_delivered_order_items", {{"order_id", "#W2"}, {"item_ids", "L1"}, {"payment_method_id", "x"}}),
              "Error: argument 'item_ids' must be List[str], not str");
    EXPECT_EQ(call("no_such_tool", Json::object()), "Unknown action no_such_tool");
    std::string bad_json = env.invoke_raw("get_order_details", "{\"order_id\": ");
    EXPECT_EQ(bad_json.rfind("Error: tool call arguments are not valid JSON: ", 0), 0u) << bad_json;
    EXPECT_EQ(env.invoke_raw("list_all_product_types", ""), R"({"Keyboard": "P1", "Lamp": "P2"})");
}

TEST_F(RetailTools, ResetRestoresTheInitialDatabase) {
    call("cancel_pending_order", {{"order_id", "#W1"}, {"reason", "ordered by mistake"}});
    call("modify_pending_order_payment", {{"order_id", "#W3"}, {"payment_method_id", "gift_card_2"}});
    EXPECT_FALSE(env.changes().empty());
    env.reset();
    EXPECT_TRUE(env.changes().empty());
    EXPECT_TRUE(identical_json(env.data(), domain().initial_data));
    EXPECT_EQ(env.data_hash(), upstream_data_hash(domain().initial_data));
}

}  // namespace
}  // namespace remask::tau

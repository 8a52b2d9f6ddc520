// Retail tools that change orders and users. Each follows the order of checks of the
// upstream tool, because which error comes first is part of the observable behaviour.
#include <algorithm>

#include "tasks/tau/retail_tools_internal.h"

namespace remask::tau::retail {
namespace {

bool contains_text(const Json& text, std::string_view needle) {
    return text.is_string() && text.get_ref<const std::string&>().find(needle) != std::string::npos;
}

size_t count_of(const Json& list, const Json& value) {
    return static_cast<size_t>(std::count(list.begin(), list.end(), value));
}

Json sorted_strings(const Json& list) {
    std::vector<std::string> items;
    for (const auto& item : list) items.push_back(item.get<std::string>());
    std::sort(items.begin(), items.end());
    return Json(items);
}

// The first item of the order with this item_id, as `[i for i in items if ...][0]`.
Json& first_item_with_id(Json& order, const Json& item_id) {
    for (auto& item : py_get(order, "items")) {
        if (py_get(item, "item_id") == item_id) return item;
    }
    throw ToolError("list index out of range");
}

Json& user_payment_methods(Json& data, const Json& order) {
    return py_get(py_get(py_get(data, "users"), py_get(order, "user_id")), "payment_methods");
}

// Shared checks of exchange and modify-items: every old item is in the order (counting
// duplicates), the lists have equal length, every new item is an available variant of the
// old item's product. Returns the summed price difference, or an error text in *error.
Json price_difference(Json& data, Json& order, const Json& item_ids, const Json& new_item_ids, std::string* error) {
    Json all_item_ids = Json::array();
    for (const auto& item : py_get(order, "items")) all_item_ids.push_back(py_get(item, "item_id"));
    for (const auto& item_id : item_ids) {
        if (count_of(item_ids, item_id) > count_of(all_item_ids, item_id)) {
            *error = "Error: " + python_str(item_id) + " not found";
            return Json();
        }
    }
    if (item_ids.size() != new_item_ids.size()) {
        *error = "Error: the number of items to be exchanged should match";
        return Json();
    }
    const Json& products = py_get(data, "products");
    Json diff_price = 0;
    for (size_t i = 0; i < item_ids.size(); ++i) {
        const Json& item = first_item_with_id(order, item_ids[i]);
        const Json& variants = py_get(py_get(products, py_get(item, "product_id")), "variants");
        const Json& new_item_id = new_item_ids[i];
        if (!(py_contains(variants, new_item_id) && py_truthy(py_get(py_get(variants, new_item_id), "available")))) {
            *error = "Error: new item " + python_str(new_item_id) + " not found or available";
            return Json();
        }
        const Json& new_price = py_get(py_get(variants, new_item_id), "price");
        diff_price = py_add(diff_price, py_sub(new_price, py_get(item, "price")));
    }
    return diff_price;
}

bool is_gift_card(const Json& payment_method) { return py_get(payment_method, "source") == "gift_card"; }

}  // namespace

std::string cancel_pending_order(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "pending") return "Error: non-pending order cannot be cancelled";
    const std::string& reason = args.str("reason");
    if (reason != "no longer needed" && reason != "ordered by mistake") return "Error: invalid reason";

    Json refunds = Json::array();
    for (const auto& payment : py_get(order, "payment_history")) {
        const Json& payment_id = py_get(payment, "payment_method_id");
        refunds.push_back(Json{{"transaction_type", "refund"},
                               {"amount", py_get(payment, "amount")},
                               {"payment_method_id", payment_id}});
        if (contains_text(payment_id, "gift_card")) {  // gift cards are refunded at once
            Json& method = py_get(user_payment_methods(data, order), payment_id);
            Json& balance = py_get(method, "balance");
            balance = py_round2(py_add(balance, py_get(payment, "amount")));
        }
    }
    order["status"] = "cancelled";
    order["cancel_reason"] = reason;
    for (auto& refund : refunds) order["payment_history"].push_back(std::move(refund));
    return python_json_dumps(order);
}

std::string exchange_delivered_order_items(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "delivered") return "Error: non-delivered order cannot be exchanged";

    const Json& item_ids = args.value("item_ids");
    const Json& new_item_ids = args.value("new_item_ids");
    std::string error;
    Json diff_price = price_difference(data, order, item_ids, new_item_ids, &error);
    if (!error.empty()) return error;
    diff_price = py_round2(diff_price);

    Json& methods = user_payment_methods(data, order);
    const Json& payment_method_id = args.value("payment_method_id");
    if (!py_contains(methods, payment_method_id)) return "Error: payment method not found";
    const Json& method = py_get(methods, payment_method_id);
    if (is_gift_card(method) && py_less(py_get(method, "balance"), diff_price)) {
        return "Error: insufficient gift card balance to pay for the price difference";
    }

    order["status"] = "exchange requested";
    order["exchange_items"] = sorted_strings(item_ids);
    order["exchange_new_items"] = sorted_strings(new_item_ids);
    order["exchange_payment_method_id"] = payment_method_id;
    order["exchange_price_difference"] = diff_price;
    return python_json_dumps(order);
}

std::string modify_pending_order_address(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "pending") return "Error: non-pending order cannot be modified";
    order["address"] = address_from_args(args);
    return python_json_dumps(order);
}

std::string modify_pending_order_items(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "pending") return "Error: non-pending order cannot be modified";

    const Json& item_ids = args.value("item_ids");
    const Json& new_item_ids = args.value("new_item_ids");
    std::string error;
    Json diff_price = price_difference(data, order, item_ids, new_item_ids, &error);
    if (!error.empty()) return error;

    Json& methods = user_payment_methods(data, order);
    const Json& payment_method_id = args.value("payment_method_id");
    if (!py_contains(methods, payment_method_id)) return "Error: payment method not found";
    Json& method = py_get(methods, payment_method_id);
    if (is_gift_card(method) && py_less(py_get(method, "balance"), diff_price)) {
        return "Error: insufficient gift card balance to pay for the new item";
    }

    // Upstream records the unrounded difference and rounds only the gift card balance.
    order["payment_history"].push_back(Json{{"transaction_type", py_less(Json(0), diff_price) ? "payment" : "refund"},
                                            {"amount", py_abs(diff_price)},
                                            {"payment_method_id", payment_method_id}});
    if (is_gift_card(method)) {
        Json& balance = py_get(method, "balance");
        balance = py_round2(py_sub(balance, diff_price));
    }

    const Json& products = py_get(data, "products");
    for (size_t i = 0; i < item_ids.size(); ++i) {
        // Searched again each time: an earlier replacement may have renamed a duplicate.
        Json& item = first_item_with_id(order, item_ids[i]);
        const Json& variant = py_get(py_get(py_get(products, py_get(item, "product_id")), "variants"), new_item_ids[i]);
        item["item_id"] = new_item_ids[i];
        item["price"] = py_get(variant, "price");
        item["options"] = py_get(variant, "options");
    }
    order["status"] = "pending (item modified)";
    return python_json_dumps(order);
}

std::string modify_pending_order_payment(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "pending") return "Error: non-pending order cannot be modified";

    Json& methods = user_payment_methods(data, order);
    const Json& payment_method_id = args.value("payment_method_id");
    if (!py_contains(methods, payment_method_id)) return "Error: payment method not found";

    Json& history = py_get(order, "payment_history");
    if (history.empty()) throw ToolError("list index out of range");
    if (history.size() > 1 || py_get(history[0], "transaction_type") != "payment") {
        return "Error: there should be exactly one payment for a pending order";
    }
    const Json old_method_id = py_get(history[0], "payment_method_id");
    if (old_method_id == payment_method_id) {
        return "Error: the new payment method should be different from the current one";
    }
    const Json amount = py_get(history[0], "amount");
    Json& method = py_get(methods, payment_method_id);
    if (is_gift_card(method) && py_less(py_get(method, "balance"), amount)) {
        return "Error: insufficient gift card balance to pay for the order";
    }

    history.push_back(Json{{"transaction_type", "payment"}, {"amount", amount}, {"payment_method_id", payment_method_id}});
    history.push_back(Json{{"transaction_type", "refund"}, {"amount", amount}, {"payment_method_id", old_method_id}});
    if (is_gift_card(method)) {
        Json& balance = py_get(method, "balance");
        balance = py_round2(py_sub(balance, amount));
    }
    if (contains_text(old_method_id, "gift_card")) {
        Json& balance = py_get(py_get(methods, old_method_id), "balance");
        balance = py_round2(py_add(balance, amount));
    }
    return python_json_dumps(order);
}

std::string modify_user_address(Json& data, const ToolArgs& args) {
    Json& users = py_get(data, "users");
    const Json& user_id = args.value("user_id");
    if (!py_contains(users, user_id)) return "Error: user not found";
    Json& user = py_get(users, user_id);
    user["address"] = address_from_args(args);
    return python_json_dumps(user);
}

std::string return_delivered_order_items(Json& data, const ToolArgs& args) {
    Json& orders = py_get(data, "orders");
    const Json& order_id = args.value("order_id");
    if (!py_contains(orders, order_id)) return "Error: order not found";
    Json& order = py_get(orders, order_id);
    if (py_get(order, "status") != "delivered") return "Error: non-delivered order cannot be returned";

    Json& methods = user_payment_methods(data, order);
    const Json& payment_method_id = args.value("payment_method_id");
    if (!py_contains(methods, payment_method_id)) return "Error: payment method not found";
    const Json& history = py_get(order, "payment_history");
    if (history.empty()) throw ToolError("list index out of range");
    if (!contains_text(payment_method_id, "gift_card") &&
        payment_method_id != py_get(history[0], "payment_method_id")) {
        return "Error: payment method should be either the original payment method or a gift card";
    }

    const Json& item_ids = args.value("item_ids");
    Json all_item_ids = Json::array();
    for (const auto& item : py_get(order, "items")) all_item_ids.push_back(py_get(item, "item_id"));
    for (const auto& item_id : item_ids) {
        if (count_of(item_ids, item_id) > count_of(all_item_ids, item_id)) return "Error: some item not found";
    }

    order["status"] = "return requested";
    order["return_items"] = sorted_strings(item_ids);
    order["return_payment_method_id"] = payment_method_id;
    return python_json_dumps(order);
}

}  // namespace remask::tau::retail

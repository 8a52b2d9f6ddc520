// Retail tools that read the database, plus the registry of all 16 retail tools.
#include <map>

#include "tasks/tau/retail_tools_internal.h"

namespace remask::tau::retail {
namespace {

std::string ascii_lower(std::string text) {
    for (char& c : text) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return text;
}

std::string calculate(Json&, const ToolArgs& args) { return calculate_expression(args.str("expression")); }

std::string find_user_id_by_email(Json& data, const ToolArgs& args) {
    std::string wanted = ascii_lower(args.str("email"));
    for (const auto& [user_id, profile] : py_get(data, "users").items()) {
        if (ascii_lower(py_get(profile, "email").get<std::string>()) == wanted) return user_id;
    }
    return "Error: user not found";
}

std::string find_user_id_by_name_zip(Json& data, const ToolArgs& args) {
    std::string first = ascii_lower(args.str("first_name"));
    std::string last = ascii_lower(args.str("last_name"));
    const std::string& zip = args.str("zip");
    for (const auto& [user_id, profile] : py_get(data, "users").items()) {
        const Json& name = py_get(profile, "name");
        if (ascii_lower(py_get(name, "first_name").get<std::string>()) == first &&
            ascii_lower(py_get(name, "last_name").get<std::string>()) == last &&
            py_get(py_get(profile, "address"), "zip") == zip) {
            return user_id;
        }
    }
    return "Error: user not found";
}

std::string dump_record(const Json& data, const char* table, const Json& key, const char* missing) {
    const Json& records = py_get(data, table);
    if (py_contains(records, key)) return python_json_dumps(py_get(records, key));
    return missing;
}

std::string get_order_details(Json& data, const ToolArgs& args) {
    return dump_record(data, "orders", args.value("order_id"), "Error: order not found");
}

std::string get_product_details(Json& data, const ToolArgs& args) {
    return dump_record(data, "products", args.value("product_id"), "Error: product not found");
}

std::string get_user_details(Json& data, const ToolArgs& args) {
    return dump_record(data, "users", args.value("user_id"), "Error: user not found");
}

std::string list_all_product_types(Json& data, const ToolArgs&) {
    // {name: product_id} (a later product of the same name wins), sorted by name.
    std::map<std::string, Json> by_name;
    for (const auto& [key, product] : py_get(data, "products").items()) {
        by_name[py_get(product, "name").get<std::string>()] = py_get(product, "product_id");
    }
    Json out = Json::object();
    for (auto& [name, product_id] : by_name) out[name] = product_id;
    return python_json_dumps(out);
}

std::string think(Json&, const ToolArgs&) { return ""; }

std::string transfer_to_human_agents(Json&, const ToolArgs&) { return "Transfer successful"; }

}  // namespace

Json address_from_args(const ToolArgs& args) {
    Json address = Json::object();
    for (const char* key : {"address1", "address2", "city", "state", "country", "zip"}) {
        address[key] = args.value(key);
    }
    return address;
}

}  // namespace remask::tau::retail

namespace remask::tau {

const std::vector<ToolImplementation>& retail_tool_implementations() {
    using namespace retail;
    static const std::vector<ToolImplementation> tools = {
        {"calculate", calculate},
        {"cancel_pending_order", cancel_pending_order},
        {"exchange_delivered_order_items", exchange_delivered_order_items},
        {"find_user_id_by_email", find_user_id_by_email},
        {"find_user_id_by_name_zip", find_user_id_by_name_zip},
        {"get_order_details", get_order_details},
        {"get_product_details", get_product_details},
        {"get_user_details", get_user_details},
        {"list_all_product_types", list_all_product_types},
        {"modify_pending_order_address", modify_pending_order_address},
        {"modify_pending_order_items", modify_pending_order_items},
        {"modify_pending_order_payment", modify_pending_order_payment},
        {"modify_user_address", modify_user_address},
        {"return_delivered_order_items", return_delivered_order_items},
        {"think", think},
        {"transfer_to_human_agents", transfer_to_human_agents},
    };
    return tools;
}

}  // namespace remask::tau

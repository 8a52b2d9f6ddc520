#pragma once
// Shared between the retail tool files: the order-changing tools (retail_order_tools.cpp)
// and the helpers both files use.

#include <string>

#include "tasks/tau/tools.h"

namespace remask::tau::retail {

std::string cancel_pending_order(Json& data, const ToolArgs& args);
std::string exchange_delivered_order_items(Json& data, const ToolArgs& args);
std::string modify_pending_order_address(Json& data, const ToolArgs& args);
std::string modify_pending_order_items(Json& data, const ToolArgs& args);
std::string modify_pending_order_payment(Json& data, const ToolArgs& args);
std::string modify_user_address(Json& data, const ToolArgs& args);
std::string return_delivered_order_items(Json& data, const ToolArgs& args);

// The address dict the modify_* tools write, in upstream's key order.
Json address_from_args(const ToolArgs& args);

}  // namespace remask::tau::retail

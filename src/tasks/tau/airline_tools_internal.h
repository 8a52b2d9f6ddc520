#pragma once
// Shared between the airline tool files: the reservation-changing tools
// (airline_booking_tools.cpp), registered in airline_lookup_tools.cpp.

#include <string>

#include "tasks/tau/tools.h"

namespace remask::tau::airline {

std::string book_reservation(Json& data, const ToolArgs& args);
std::string cancel_reservation(Json& data, const ToolArgs& args);
std::string send_certificate(Json& data, const ToolArgs& args);
std::string update_reservation_baggages(Json& data, const ToolArgs& args);
std::string update_reservation_flights(Json& data, const ToolArgs& args);
std::string update_reservation_passengers(Json& data, const ToolArgs& args);

}  // namespace remask::tau::airline

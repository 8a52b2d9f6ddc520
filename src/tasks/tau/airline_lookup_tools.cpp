// Airline tools that read the database (searches, details, airports), the trivial ones,
// and the registry of all 14 airline tools.
#include "tasks/tau/airline_tools_internal.h"

#include <cctype>

namespace remask::tau::airline {
namespace {

std::string calculate(Json&, const ToolArgs& args) { return calculate_expression(args.str("expression")); }

std::string get_reservation_details(Json& data, const ToolArgs& args) {
    const Json& reservations = py_get(data, "reservations");
    const Json& reservation_id = args.value("reservation_id");
    if (py_contains(reservations, reservation_id)) return python_json_dumps(py_get(reservations, reservation_id));
    return "Error: user not found";  // sic: upstream's text
}

std::string get_user_details(Json& data, const ToolArgs& args) {
    const Json& users = py_get(data, "users");
    const Json& user_id = args.value("user_id");
    if (py_contains(users, user_id)) return python_json_dumps(py_get(users, user_id));
    return "Error: user not found";
}

std::string list_all_airports(Json&, const ToolArgs&) {
    static const char* const kAirports[][2] = {
        {"SFO", "San Francisco"}, {"JFK", "New York"},   {"LAX", "Los Angeles"}, {"ORD", "Chicago"},
        {"DFW", "Dallas"},        {"DEN", "Denver"},     {"SEA", "Seattle"},     {"ATL", "Atlanta"},
        {"MIA", "Miami"},         {"BOS", "Boston"},     {"PHX", "Phoenix"},     {"IAH", "Houston"},
        {"LAS", "Las Vegas"},     {"MCO", "Orlando"},    {"EWR", "Newark"},      {"CLT", "Charlotte"},
        {"MSP", "Minneapolis"},   {"DTW", "Detroit"},    {"PHL", "Philadelphia"}, {"LGA", "LaGuardia"}};
    Json out = Json::object();
    for (const auto& airport : kAirports) out[airport[0]] = airport[1];
    return python_json_dumps(out);
}

// The flight without its "dates", updated with one date's record: what searches return.
Json flight_on_date(const Json& flight, const Json& date_record) {
    Json result = Json::object();
    for (const auto& [key, value] : flight.items()) {
        if (key != "dates") result[key] = value;
    }
    for (const auto& [key, value] : date_record.items()) result[key] = value;
    return result;
}

std::string search_direct_flight(Json& data, const ToolArgs& args) {
    const Json& origin = args.value("origin");
    const Json& destination = args.value("destination");
    const Json& date = args.value("date");
    Json results = Json::array();
    for (const auto& [number, flight] : py_get(data, "flights").items()) {
        if (py_get(flight, "origin") != origin || py_get(flight, "destination") != destination) continue;
        const Json& dates = py_get(flight, "dates");
        if (py_contains(dates, date) && py_get(py_get(dates, date), "status") == "available") {
            results.push_back(flight_on_date(flight, py_get(dates, date)));
        }
    }
    return python_json_dumps(results);
}

// int(text) for the day part of a date, with Python's ValueError wording.
long python_int(const std::string& text) {
    size_t begin = 0, end = text.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
    std::string body = text.substr(begin, end - begin);
    size_t digits_from = !body.empty() && (body[0] == '+' || body[0] == '-') ? 1 : 0;
    bool valid = body.size() > digits_from;
    for (size_t i = digits_from; i < body.size(); ++i) valid = valid && std::isdigit(static_cast<unsigned char>(body[i]));
    if (!valid) throw ToolError("invalid literal for int() with base 10: " + python_repr(Json(text)));
    return std::stol(body);
}

std::string search_onestop_flight(Json& data, const ToolArgs& args) {
    const Json& origin = args.value("origin");
    const Json& destination = args.value("destination");
    const std::string& date = args.str("date");
    const Json date_json = date;
    const Json& flights = py_get(data, "flights");
    Json results = Json::array();
    for (const auto& [number1, flight1] : flights.items()) {
        if (py_get(flight1, "origin") != origin) continue;
        for (const auto& [number2, flight2] : flights.items()) {
            if (py_get(flight2, "destination") != destination ||
                py_get(flight1, "destination") != py_get(flight2, "origin")) {
                continue;
            }
            const std::string& arrival1 = py_get(flight1, "scheduled_arrival_time_est").get_ref<const std::string&>();
            // Upstream's next day: "2024-05-" + day + 1, without zero padding.
            std::string date2 = date;
            if (arrival1.find("+1") != std::string::npos) {
                date2 = "2024-05-" + std::to_string(python_int(date.size() >= 2 ? date.substr(date.size() - 2) : date) + 1);
            }
            // Times compare as strings, as upstream does.
            if (py_less(py_get(flight2, "scheduled_departure_time_est"), Json(arrival1))) continue;
            const Json& dates1 = py_get(flight1, "dates");
            const Json& dates2 = py_get(flight2, "dates");
            if (!py_contains(dates1, date_json) || !py_contains(dates2, Json(date2))) continue;
            if (py_get(py_get(dates1, date_json), "status") != "available" ||
                py_get(py_get(dates2, Json(date2)), "status") != "available") {
                continue;
            }
            Json result1 = flight_on_date(flight1, py_get(dates1, date_json));
            result1["date"] = date;
            // Upstream merges the second flight's record for the *first* date (KeyError
            // when that date is missing); kept as is.
            Json result2 = flight_on_date(flight2, py_get(dates2, date_json));
            result2["date"] = date2;
            results.push_back(Json::array({std::move(result1), std::move(result2)}));
        }
    }
    return python_json_dumps(results);
}

std::string think(Json&, const ToolArgs&) { return ""; }

std::string transfer_to_human_agents(Json&, const ToolArgs&) { return "Transfer successful"; }

}  // namespace
}  // namespace remask::tau::airline

namespace remask::tau {

const std::vector<ToolImplementation>& airline_tool_implementations() {
    using namespace airline;
    static const std::vector<ToolImplementation> tools = {
        {"book_reservation", book_reservation},
        {"calculate", calculate},
        {"cancel_reservation", cancel_reservation},
        {"get_reservation_details", get_reservation_details},
        {"get_user_details", get_user_details},
        {"list_all_airports", list_all_airports},
        {"search_direct_flight", search_direct_flight},
        {"search_onestop_flight", search_onestop_flight},
        {"send_certificate", send_certificate},
        {"think", think},
        {"transfer_to_human_agents", transfer_to_human_agents},
        {"update_reservation_baggages", update_reservation_baggages},
        {"update_reservation_flights", update_reservation_flights},
        {"update_reservation_passengers", update_reservation_passengers},
    };
    return tools;
}

}  // namespace remask::tau

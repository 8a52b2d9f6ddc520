// Airline tools that change reservations and users. Check order, int/float arithmetic and
// record key order follow upstream, since all three show in outputs and in the data hash.
#include "tasks/tau/airline_tools_internal.h"

namespace remask::tau::airline {
namespace {

const Json& source_of(const Json& payment_method) { return py_get(payment_method, "source"); }

// Fills price/origin/destination of a requested flight from the flights table for the
// cabin, after upstream's availability checks. Returns an error text, or "" when fine.
std::string price_new_flight(const Json& data, Json& flight, const Json& cabin, size_t passengers) {
    const Json& flight_number = py_get(flight, "flight_number");
    const Json& flights = py_get(data, "flights");
    if (!py_contains(flights, flight_number)) return "Error: flight " + python_str(flight_number) + " not found";
    const Json& flight_data = py_get(flights, flight_number);
    const Json& date = py_get(flight, "date");
    const Json& dates = py_get(flight_data, "dates");
    if (!py_contains(dates, date)) {
        return "Error: flight " + python_str(flight_number) + " not found on date " + python_str(date);
    }
    const Json& date_data = py_get(dates, date);
    if (py_get(date_data, "status") != "available") {
        return "Error: flight " + python_str(flight_number) + " not available on date " + python_str(date);
    }
    if (py_less(py_get(py_get(date_data, "available_seats"), cabin), Json(passengers))) {
        return "Error: not enough seats on flight " + python_str(flight_number);
    }
    flight["price"] = py_get(py_get(date_data, "prices"), cabin);
    flight["origin"] = py_get(flight_data, "origin");
    flight["destination"] = py_get(flight_data, "destination");
    return "";
}

// Certificates cannot pay for changes; gift cards must cover the price. "" when fine.
std::string check_change_payment(const Json& payment_method, const Json& total_price) {
    if (source_of(payment_method) == "certificate") return "Error: certificate cannot be used to update reservation";
    if (source_of(payment_method) == "gift_card" && py_less(py_get(payment_method, "amount"), total_price)) {
        return "Error: gift card balance is not enough";
    }
    return "";
}

}  // namespace

std::string book_reservation(Json& data, const ToolArgs& args) {
    Json& reservations = py_get(data, "reservations");
    Json& users = py_get(data, "users");
    const Json& user_id = args.value("user_id");
    if (!py_contains(users, user_id)) return "Error: user not found";
    Json& user = py_get(users, user_id);

    // Upstream assumes at most three bookings per task.
    std::string reservation_id = "HATHAT";
    if (reservations.contains(reservation_id)) {
        reservation_id = "HATHAU";
        if (reservations.contains(reservation_id)) reservation_id = "HATHAV";
    }
    const Json& passengers = args.value("passengers");
    const Json& payment_methods = args.value("payment_methods");
    const Json& cabin = args.value("cabin");
    Json reservation = Json::object();
    reservation["reservation_id"] = reservation_id;
    for (const char* key : {"user_id", "origin", "destination", "flight_type", "cabin", "flights", "passengers"}) {
        reservation[key] = args.value(key);
    }
    reservation["payment_history"] = payment_methods;
    reservation["created_at"] = "2024-05-15T15:00:00";
    for (const char* key : {"total_baggages", "nonfree_baggages", "insurance"}) reservation[key] = args.value(key);

    Json total_price = 0;
    for (auto& flight : reservation["flights"]) {
        std::string error = price_new_flight(data, flight, cabin, passengers.size());
        if (!error.empty()) return error;
        total_price = py_add(total_price, py_mul(flight["price"], Json(passengers.size())));
    }
    if (args.value("insurance") == "yes") total_price = py_add(total_price, Json(30 * passengers.size()));
    total_price = py_add(total_price, py_mul(Json(50), args.value("nonfree_baggages")));

    Json& methods = py_get(user, "payment_methods");
    for (const auto& payment : payment_methods) {
        const Json& payment_id = py_get(payment, "payment_id");
        const Json& amount = py_get(payment, "amount");
        if (!py_contains(methods, payment_id)) return "Error: payment method " + python_str(payment_id) + " not found";
        const Json& source = source_of(py_get(methods, payment_id));
        if ((source == "gift_card" || source == "certificate") &&
            py_less(py_get(py_get(methods, payment_id), "amount"), amount)) {
            return "Error: not enough balance in payment method " + python_str(payment_id);
        }
    }
    Json paid = 0;
    for (const auto& payment : payment_methods) paid = py_add(paid, py_get(payment, "amount"));
    if (!py_equal(paid, total_price)) {
        return "Error: payment amount does not add up, total price is " + python_str(total_price) + ", but paid " +
               python_str(paid);
    }

    for (const auto& payment : payment_methods) {
        const Json& payment_id = py_get(payment, "payment_id");
        Json& method = py_get(methods, payment_id);  // KeyError if a certificate is used twice, as upstream
        if (source_of(method) == "gift_card") {
            method["amount"] = py_sub(method["amount"], py_get(payment, "amount"));
        } else if (source_of(method) == "certificate") {
            methods.erase(payment_id.get<std::string>());
        }
    }
    std::string output = python_json_dumps(reservation);
    reservations[reservation_id] = std::move(reservation);
    py_get(user, "reservations").push_back(reservation_id);
    return output;
}

std::string cancel_reservation(Json& data, const ToolArgs& args) {
    Json& reservations = py_get(data, "reservations");
    const Json& reservation_id = args.value("reservation_id");
    if (!py_contains(reservations, reservation_id)) return "Error: reservation not found";
    Json& reservation = py_get(reservations, reservation_id);
    Json& history = py_get(reservation, "payment_history");
    Json refunds = Json::array();
    for (const auto& payment : history) {
        refunds.push_back(Json{{"payment_id", py_get(payment, "payment_id")}, {"amount", py_neg(py_get(payment, "amount"))}});
    }
    for (auto& refund : refunds) history.push_back(std::move(refund));
    reservation["status"] = "cancelled";
    return python_json_dumps(reservation);
}

std::string send_certificate(Json& data, const ToolArgs& args) {
    Json& users = py_get(data, "users");
    const Json& user_id = args.value("user_id");
    if (!py_contains(users, user_id)) return "Error: user not found";
    Json& methods = py_get(py_get(users, user_id), "payment_methods");
    // Upstream assumes at most three certificates per task.
    for (const char* id : {"3221322", "3221323", "3221324"}) {
        std::string payment_id = std::string("certificate_") + id;
        if (methods.contains(payment_id)) continue;
        methods[payment_id] = Json{{"source", "certificate"}, {"amount", args.value("amount")}, {"id", payment_id}};
        return "Certificate " + payment_id + " added to user " + python_str(user_id) + " with amount " +
               python_str(args.value("amount")) + ".";
    }
    return "None";  // upstream returns None here (and then fails); we answer its text
}

std::string update_reservation_baggages(Json& data, const ToolArgs& args) {
    Json& users = py_get(data, "users");
    Json& reservations = py_get(data, "reservations");
    const Json& reservation_id = args.value("reservation_id");
    if (!py_contains(reservations, reservation_id)) return "Error: reservation not found";
    Json& reservation = py_get(reservations, reservation_id);

    // 50 * max(0, new - old): max keeps the int 0 unless the difference is larger.
    Json extra = py_sub(args.value("nonfree_baggages"), py_get(reservation, "nonfree_baggages"));
    Json total_price = py_mul(Json(50), py_less(Json(0), extra) ? extra : Json(0));
    Json& methods = py_get(py_get(users, py_get(reservation, "user_id")), "payment_methods");
    const Json& payment_id = args.value("payment_id");
    if (!py_contains(methods, payment_id)) return "Error: payment method not found";
    Json& method = py_get(methods, payment_id);
    std::string error = check_change_payment(method, total_price);
    if (!error.empty()) return error;

    reservation["total_baggages"] = args.value("total_baggages");
    reservation["nonfree_baggages"] = args.value("nonfree_baggages");
    if (source_of(method) == "gift_card") method["amount"] = py_sub(method["amount"], total_price);
    if (!py_equal(total_price, Json(0))) {
        py_get(reservation, "payment_history").push_back(Json{{"payment_id", payment_id}, {"amount", total_price}});
    }
    return python_json_dumps(reservation);
}

std::string update_reservation_flights(Json& data, const ToolArgs& args) {
    Json& users = py_get(data, "users");
    Json& reservations = py_get(data, "reservations");
    const Json& reservation_id = args.value("reservation_id");
    if (!py_contains(reservations, reservation_id)) return "Error: reservation not found";
    Json& reservation = py_get(reservations, reservation_id);
    const Json& cabin = args.value("cabin");
    const Json& old_flights = py_get(reservation, "flights");
    const Json passenger_count = Json(py_len(py_get(reservation, "passengers")));

    Json total_price = 0;
    Json flights = args.value("flights");
    for (auto& flight : flights) {
        // A flight already in the reservation (same number, date, and cabin unchanged)
        // keeps the price paid.
        const Json* kept = nullptr;
        for (const auto& old : old_flights) {
            if (py_get(old, "flight_number") == py_get(flight, "flight_number") &&
                py_get(old, "date") == py_get(flight, "date") && cabin == py_get(reservation, "cabin")) {
                kept = kept ? kept : &old;
            }
        }
        if (kept) {
            total_price = py_add(total_price, py_mul(py_get(*kept, "price"), passenger_count));
            flight["price"] = py_get(*kept, "price");
            flight["origin"] = py_get(*kept, "origin");
            flight["destination"] = py_get(*kept, "destination");
            continue;
        }
        std::string error = price_new_flight(data, flight, cabin, passenger_count.get<size_t>());
        if (!error.empty()) return error;
        total_price = py_add(total_price, py_mul(flight["price"], passenger_count));
    }
    Json paid_before = 0;
    for (const auto& old : old_flights) paid_before = py_add(paid_before, py_get(old, "price"));
    total_price = py_sub(total_price, py_mul(paid_before, passenger_count));

    Json& methods = py_get(py_get(users, py_get(reservation, "user_id")), "payment_methods");
    const Json& payment_id = args.value("payment_id");
    if (!py_contains(methods, payment_id)) return "Error: payment method not found";
    Json& method = py_get(methods, payment_id);
    std::string error = check_change_payment(method, total_price);
    if (!error.empty()) return error;

    if (source_of(method) == "gift_card") method["amount"] = py_sub(method["amount"], total_price);
    reservation["flights"] = std::move(flights);
    if (!py_equal(total_price, Json(0))) {
        py_get(reservation, "payment_history").push_back(Json{{"payment_id", payment_id}, {"amount", total_price}});
    }
    // Upstream does not update the flights table's seats here either.
    return python_json_dumps(reservation);
}

std::string update_reservation_passengers(Json& data, const ToolArgs& args) {
    Json& reservations = py_get(data, "reservations");
    const Json& reservation_id = args.value("reservation_id");
    if (!py_contains(reservations, reservation_id)) return "Error: reservation not found";
    Json& reservation = py_get(reservations, reservation_id);
    const Json& passengers = args.value("passengers");
    if (passengers.size() != py_len(py_get(reservation, "passengers"))) {
        return "Error: number of passengers does not match";
    }
    reservation["passengers"] = passengers;
    return python_json_dumps(reservation);
}

}  // namespace remask::tau::airline

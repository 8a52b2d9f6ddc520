// Each airline tool on a small fixture database: success path and error messages.
#include <gtest/gtest.h>

#include <functional>

#include "tasks/tau/environment.h"

namespace remask::tau {
namespace {

const std::string kDataDir = std::string(REMASK_SOURCE_DIR) + "/data/tau-bench";

const char* const kFixture = R"({
 "flights": {
  "HAT001": {"flight_number": "HAT001", "origin": "JFK", "destination": "ATL", "scheduled_departure_time_est": "06:00:00", "scheduled_arrival_time_est": "09:00:00",
             "dates": {"2024-05-20": {"status": "available", "available_seats": {"basic_economy": 5, "economy": 5, "business": 1}, "prices": {"basic_economy": 50, "economy": 100, "business": 300}},
                       "2024-05-21": {"status": "cancelled"}}},
  "HAT002": {"flight_number": "HAT002", "origin": "ATL", "destination": "SEA", "scheduled_departure_time_est": "10:00:00", "scheduled_arrival_time_est": "13:00:00",
             "dates": {"2024-05-20": {"status": "available", "available_seats": {"basic_economy": 5, "economy": 5, "business": 5}, "prices": {"basic_economy": 60, "economy": 120, "business": 400}}}},
  "HAT003": {"flight_number": "HAT003", "origin": "JFK", "destination": "SEA", "scheduled_departure_time_est": "07:00:00", "scheduled_arrival_time_est": "12:00:00",
             "dates": {"2024-05-20": {"status": "available", "available_seats": {"basic_economy": 5, "economy": 5, "business": 5}, "prices": {"basic_economy": 80, "economy": 150, "business": 500}}}},
  "HAT004": {"flight_number": "HAT004", "origin": "ATL", "destination": "SEA", "scheduled_departure_time_est": "08:00:00", "scheduled_arrival_time_est": "11:00:00",
             "dates": {"2024-05-20": {"status": "available", "available_seats": {"basic_economy": 5, "economy": 5, "business": 5}, "prices": {"basic_economy": 10, "economy": 20, "business": 30}}}},
  "HAT005": {"flight_number": "HAT005", "origin": "JFK", "destination": "MIA", "scheduled_departure_time_est": "22:00:00", "scheduled_arrival_time_est": "01:00:00+1",
             "dates": {"2024-05-20": {"status": "available", "available_seats": {"basic_economy": 5, "economy": 5, "business": 5}, "prices": {"basic_economy": 70, "economy": 90, "business": 200}}}},
  "HAT006": {"flight_number": "HAT006", "origin": "MIA", "destination": "SEA", "scheduled_departure_time_est": "02:00:00", "scheduled_arrival_time_est": "07:00:00",
             "dates": {"2024-05-20": {"status": "delayed", "available_seats": {"basic_economy": 1, "economy": 1, "business": 1}, "prices": {"basic_economy": 1, "economy": 2, "business": 3}},
                       "2024-05-21": {"status": "available", "available_seats": {"basic_economy": 9, "economy": 9, "business": 9}, "prices": {"basic_economy": 40, "economy": 80, "business": 160}}}}
 },
 "reservations": {
  "ABC123": {"reservation_id": "ABC123", "user_id": "mia_1", "origin": "JFK", "destination": "SEA", "flight_type": "one_way", "cabin": "economy",
             "flights": [{"flight_number": "HAT003", "date": "2024-05-20", "price": 150, "origin": "JFK", "destination": "SEA"}],
             "passengers": [{"first_name": "Mia", "last_name": "Li", "dob": "1990-01-01"}],
             "payment_history": [{"payment_id": "credit_card_1", "amount": 150}],
             "created_at": "2024-05-01T10:00:00", "total_baggages": 1, "nonfree_baggages": 0, "insurance": "no"}
 },
 "users": {
  "mia_1": {"name": {"first_name": "Mia", "last_name": "Li"}, "address": {"address1": "1 Main St", "address2": "", "city": "Austin", "country": "USA", "state": "TX", "zip": "78701"},
            "email": "mia@example.com", "dob": "1990-01-01",
            "payment_methods": {"credit_card_1": {"source": "credit_card", "brand": "visa", "last_four": "1111", "id": "credit_card_1"},
                                "gift_card_1": {"source": "gift_card", "amount": 100, "id": "gift_card_1"},
                                "certificate_1": {"source": "certificate", "amount": 150, "id": "certificate_1"}},
            "saved_passengers": [], "membership": "gold", "reservations": ["ABC123"]}
 }
})";

class AirlineTools : public ::testing::Test {
protected:
    static const TauDomain& domain() {
        static const TauDomain value = tau_domain_with_data("tau-airline", Json::parse(kFixture), kDataDir);
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
    const Json& user_methods() { return env.data()["users"]["mia_1"]["payment_methods"]; }
    const Json& reservation(const char* id) { return env.data()["reservations"][id]; }

    Json booking() {
        return {{"user_id", "mia_1"},
                {"origin", "JFK"},
                {"destination", "SEA"},
                {"flight_type", "one_way"},
                {"cabin", "economy"},
                {"flights", {{{"flight_number", "HAT001"}, {"date", "2024-05-20"}}, {{"flight_number", "HAT002"}, {"date", "2024-05-20"}}}},
                {"passengers", {{{"first_name", "Mia"}, {"last_name", "Li"}, {"dob", "1990-01-01"}}}},
                {"payment_methods", {{{"payment_id", "certificate_1"}, {"amount", 150}}, {{"payment_id", "credit_card_1"}, {"amount", 100}}}},
                {"total_baggages", 1},
                {"nonfree_baggages", 0},
                {"insurance", "yes"}};
    }
};

TEST_F(AirlineTools, SignaturesMatchUpstreamList) {
    ASSERT_EQ(domain().tools.size(), 14u);
    EXPECT_EQ(domain().tools[0].name, "book_reservation");
    EXPECT_EQ(domain().tools[13].name, "update_reservation_passengers");
}

TEST_F(AirlineTools, BookReservation) {
    std::string out = call("book_reservation", booking());
    // 100 + 120 for the flights, 30 insurance: 250, paid by a certificate and a card.
    const std::string expected_start =
              R"({"reservation_id": "HATHAT", "user_id": "mia_1", "origin": "JFK", "destination": "SEA", "flight_type": )"
              R"("one_way", "cabin": "economy", "flights": [{"flight_number": "HAT001", "date": "2024-05-20", "price": 100, )"
              R"("origin": "JFK", "destination": "ATL"}, {"flight_number": "HAT002", "date": "2024-05-20", "price": 120, )"
              R"("origin": "ATL", "destination": "SEA"}], "passengers": )";
    EXPECT_EQ(out.substr(0, expected_start.size()), expected_start);
    Json value = Json::parse(out);
    EXPECT_EQ(value["created_at"], "2024-05-15T15:00:00");
    EXPECT_EQ((--value.end()).key(), "insurance");
    EXPECT_FALSE(user_methods().contains("certificate_1"));  // a certificate is used up
    EXPECT_EQ(env.data()["users"]["mia_1"]["reservations"], Json({"ABC123", "HATHAT"}));
    EXPECT_TRUE(env.data()["reservations"].contains("HATHAT"));

    Json second = booking();
    second["payment_methods"] = {{{"payment_id", "gift_card_1"}, {"amount", 100}}, {{"payment_id", "credit_card_1"}, {"amount", 150.0}}};
    Json again = call_json("book_reservation", second);
    EXPECT_EQ(again["reservation_id"], "HATHAU");
    EXPECT_EQ(python_json_dumps(again["payment_history"][1]["amount"]), "150.0");  // kept as the agent wrote it
    EXPECT_EQ(python_json_dumps(user_methods()["gift_card_1"]["amount"]), "0");
}

TEST_F(AirlineTools, BookReservationErrors) {
    auto book = [&](const std::function<void(Json&)>& change) {
        Json kwargs = booking();
        change(kwargs);
        return call("book_reservation", kwargs);
    };
    EXPECT_EQ(book([](Json& k) { k["user_id"] = "nobody"; }), "Error: user not found");
    EXPECT_EQ(book([](Json& k) { k["flights"][0]["flight_number"] = "HAT999"; }), "Error: flight HAT999 not found");
    EXPECT_EQ(book([](Json& k) { k["flights"][0]["date"] = "2024-05-22"; }), "Error: flight HAT001 not found on date 2024-05-22");
    EXPECT_EQ(book([](Json& k) { k["flights"][0]["date"] = "2024-05-21"; }),
              "Error: flight HAT001 not available on date 2024-05-21");
    EXPECT_EQ(book([](Json& k) {
                  k["cabin"] = "business";
                  k["passengers"].push_back(k["passengers"][0]);
              }),
              "Error: not enough seats on flight HAT001");
    EXPECT_EQ(book([](Json& k) { k["cabin"] = "first"; }), "Error: 'first'");  // upstream's KeyError
    EXPECT_EQ(book([](Json& k) { k["payment_methods"][1]["payment_id"] = "credit_card_9"; }),
              "Error: payment method credit_card_9 not found");
    EXPECT_EQ(book([](Json& k) { k["payment_methods"] = {{{"payment_id", "gift_card_1"}, {"amount", 250}}}; }),
              "Error: not enough balance in payment method gift_card_1");
    EXPECT_EQ(book([](Json& k) { k["payment_methods"][1]["amount"] = 90.5; }),
              "Error: payment amount does not add up, total price is 250, but paid 240.5");
    EXPECT_EQ(book([](Json& k) { k["payment_methods"][0].erase("amount"); }), "Error: 'amount'");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(AirlineTools, CancelReservation) {
    Json out = call_json("cancel_reservation", {{"reservation_id", "ABC123"}});
    EXPECT_EQ(python_json_dumps(out["payment_history"]),
              R"([{"payment_id": "credit_card_1", "amount": 150}, {"payment_id": "credit_card_1", "amount": -150}])");
    EXPECT_EQ(out["status"], "cancelled");
    EXPECT_EQ(call("cancel_reservation", {{"reservation_id", "ZZZ999"}}), "Error: reservation not found");
}

TEST_F(AirlineTools, DetailsAndAirports) {
    EXPECT_EQ(call_json("get_reservation_details", {{"reservation_id", "ABC123"}})["cabin"], "economy");
    EXPECT_EQ(call("get_reservation_details", {{"reservation_id", "NOPE"}}), "Error: user not found");  // sic, upstream
    EXPECT_EQ(call_json("get_user_details", {{"user_id", "mia_1"}})["membership"], "gold");
    EXPECT_EQ(call("get_user_details", {{"user_id", "mia"}}), "Error: user not found");
    std::string airports = call("list_all_airports", Json::object());
    EXPECT_EQ(airports.rfind(R"({"SFO": "San Francisco", "JFK": "New York", "LAX": "Los Angeles", )", 0), 0u);
    EXPECT_EQ(Json::parse(airports).size(), 20u);
    EXPECT_EQ(call("think", {{"thought", "x"}}), "");
    EXPECT_EQ(call("transfer_to_human_agents", {{"summary", "x"}}), "Transfer successful");
    EXPECT_EQ(call("calculate", {{"expression", "150 * 2 + 30"}}), "330.0");
}

TEST_F(AirlineTools, SearchDirectFlight) {
    EXPECT_EQ(call("search_direct_flight", {{"origin", "JFK"}, {"destination", "SEA"}, {"date", "2024-05-20"}}),
              R"([{"flight_number": "HAT003", "origin": "JFK", "destination": "SEA", "scheduled_departure_time_est": )"
              R"("07:00:00", "scheduled_arrival_time_est": "12:00:00", "status": "available", "available_seats": )"
              R"({"basic_economy": 5, "economy": 5, "business": 5}, "prices": {"basic_economy": 80, "economy": 150, )"
              R"("business": 500}}])");
    EXPECT_EQ(call("search_direct_flight", {{"origin", "JFK"}, {"destination", "ATL"}, {"date", "2024-05-21"}}), "[]");
}

TEST_F(AirlineTools, SearchOnestopFlight) {
    Json out = call_json("search_onestop_flight", {{"origin", "JFK"}, {"destination", "SEA"}, {"date", "2024-05-20"}});
    ASSERT_EQ(out.size(), 2u) << out.dump();
    // HAT004 leaves ATL before HAT001 lands: skipped.
    EXPECT_EQ(out[0][0]["flight_number"], "HAT001");
    EXPECT_EQ(out[0][1]["flight_number"], "HAT002");
    EXPECT_EQ(out[0][1]["date"], "2024-05-20");
    // Overnight connection: the second leg is dated the next day ("2024-05-21", unpadded
    // upstream), but upstream fills its status and prices from the first day's record.
    EXPECT_EQ(out[1][1]["flight_number"], "HAT006");
    EXPECT_EQ(out[1][1]["date"], "2024-05-21");
    EXPECT_EQ(out[1][1]["status"], "delayed");
    EXPECT_EQ(call("search_onestop_flight", {{"origin", "JFK"}, {"destination", "SEA"}, {"date", "2024-05-2x"}}),
              "Error: invalid literal for int() with base 10: '2x'");
}

TEST_F(AirlineTools, SendCertificate) {
    EXPECT_EQ(call("send_certificate", {{"user_id", "mia_1"}, {"amount", 100}}),
              "Certificate certificate_3221322 added to user mia_1 with amount 100.");
    EXPECT_EQ(call("send_certificate", {{"user_id", "mia_1"}, {"amount", 50.0}}),
              "Certificate certificate_3221323 added to user mia_1 with amount 50.0.");
    EXPECT_EQ(python_json_dumps(user_methods()["certificate_3221322"]),
              R"({"source": "certificate", "amount": 100, "id": "certificate_3221322"})");
    EXPECT_EQ(call("send_certificate", {{"user_id", "bob"}, {"amount", 1}}), "Error: user not found");
}

TEST_F(AirlineTools, UpdateReservationBaggages) {
    Json out = call_json("update_reservation_baggages",
                         {{"reservation_id", "ABC123"}, {"total_baggages", 3}, {"nonfree_baggages", 2}, {"payment_id", "credit_card_1"}});
    EXPECT_EQ(python_json_dumps(out["payment_history"][1]), R"({"payment_id": "credit_card_1", "amount": 100})");
    EXPECT_EQ(out["nonfree_baggages"], 2);
    // Fewer paid bags: nothing charged, nothing appended.
    out = call_json("update_reservation_baggages",
                    {{"reservation_id", "ABC123"}, {"total_baggages", 1}, {"nonfree_baggages", 0}, {"payment_id", "gift_card_1"}});
    EXPECT_EQ(out["payment_history"].size(), 2u);
    EXPECT_EQ(python_json_dumps(user_methods()["gift_card_1"]["amount"]), "100");
    out = call_json("update_reservation_baggages",
                    {{"reservation_id", "ABC123"}, {"total_baggages", 2}, {"nonfree_baggages", 1}, {"payment_id", "gift_card_1"}});
    EXPECT_EQ(python_json_dumps(user_methods()["gift_card_1"]["amount"]), "50");
}

TEST_F(AirlineTools, UpdateReservationBaggagesErrors) {
    auto update = [&](const char* id, int nonfree, const char* payment) {
        return call("update_reservation_baggages",
                    {{"reservation_id", id}, {"total_baggages", 5}, {"nonfree_baggages", nonfree}, {"payment_id", payment}});
    };
    EXPECT_EQ(update("NOPE", 1, "credit_card_1"), "Error: reservation not found");
    EXPECT_EQ(update("ABC123", 1, "paypal_1"), "Error: payment method not found");
    EXPECT_EQ(update("ABC123", 1, "certificate_1"), "Error: certificate cannot be used to update reservation");
    EXPECT_EQ(update("ABC123", 3, "gift_card_1"), "Error: gift card balance is not enough");
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(AirlineTools, UpdateReservationFlights) {
    // Same flight, same cabin: the price paid is kept, nothing is charged.
    Json same = call_json("update_reservation_flights",
                          {{"reservation_id", "ABC123"}, {"cabin", "economy"},
                           {"flights", {{{"flight_number", "HAT003"}, {"date", "2024-05-20"}}}}, {"payment_id", "credit_card_1"}});
    EXPECT_EQ(same["payment_history"].size(), 1u);
    // Two new legs: 100 + 120 - 150 = 70 more.
    Json out = call_json("update_reservation_flights",
                         {{"reservation_id", "ABC123"}, {"cabin", "economy"},
                          {"flights", {{{"flight_number", "HAT001"}, {"date", "2024-05-20"}}, {{"flight_number", "HAT002"}, {"date", "2024-05-20"}}}},
                          {"payment_id", "gift_card_1"}});
    EXPECT_EQ(python_json_dumps(out["payment_history"][1]), R"({"payment_id": "gift_card_1", "amount": 70})");
    EXPECT_EQ(python_json_dumps(out["flights"][1]),
              R"({"flight_number": "HAT002", "date": "2024-05-20", "price": 120, "origin": "ATL", "destination": "SEA"})");
    EXPECT_EQ(python_json_dumps(user_methods()["gift_card_1"]["amount"]), "30");
}

TEST_F(AirlineTools, UpdateReservationFlightsErrors) {
    auto update = [&](const char* id, const char* flight, const char* payment) {
        return call("update_reservation_flights", {{"reservation_id", id}, {"cabin", "business"},
                                                   {"flights", {{{"flight_number", flight}, {"date", "2024-05-20"}}}},
                                                   {"payment_id", payment}});
    };
    EXPECT_EQ(update("NOPE", "HAT003", "credit_card_1"), "Error: reservation not found");
    EXPECT_EQ(update("ABC123", "HAT999", "credit_card_1"), "Error: flight HAT999 not found");
    EXPECT_EQ(update("ABC123", "HAT003", "paypal_1"), "Error: payment method not found");
    EXPECT_EQ(update("ABC123", "HAT003", "certificate_1"), "Error: certificate cannot be used to update reservation");
    EXPECT_EQ(update("ABC123", "HAT003", "gift_card_1"), "Error: gift card balance is not enough");  // 500 - 150
    EXPECT_TRUE(env.changes().empty());
}

TEST_F(AirlineTools, UpdateReservationPassengers) {
    Json one = {{{"first_name", "Ann"}, {"last_name", "Li"}, {"dob", "1991-02-02"}}};
    EXPECT_EQ(call_json("update_reservation_passengers", {{"reservation_id", "ABC123"}, {"passengers", one}})["passengers"], one);
    Json two = one;
    two.push_back(one[0]);
    EXPECT_EQ(call("update_reservation_passengers", {{"reservation_id", "ABC123"}, {"passengers", two}}),
              "Error: number of passengers does not match");
    EXPECT_EQ(call("update_reservation_passengers", {{"reservation_id", "X"}, {"passengers", one}}),
              "Error: reservation not found");
}

}  // namespace
}  // namespace remask::tau

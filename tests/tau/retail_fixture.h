#pragma once
// A small retail database for tests: three orders (#W1 pending, paid by gift card; #W2
// delivered; #W3 pending), two products, two users (ann_1, bob_2).

namespace remask::tau::fixtures {

inline constexpr const char* kRetailFixture = R"({
 "orders": {
  "#W1": {"order_id": "#W1", "user_id": "ann_1", "address": {"address1": "1 Main St", "address2": "", "city": "Austin", "country": "USA", "state": "TX", "zip": "78701"},
          "items": [{"name": "Keyboard", "product_id": "P1", "item_id": "K1", "price": 100.5, "options": {"switch": "linear"}},
                    {"name": "Lamp", "product_id": "P2", "item_id": "L1", "price": 20.0, "options": {"color": "red"}}],
          "fulfillments": [], "status": "pending",
          "payment_history": [{"transaction_type": "payment", "amount": 120.5, "payment_method_id": "gift_card_1"}]},
  "#W2": {"order_id": "#W2", "user_id": "ann_1", "address": {"address1": "1 Main St", "address2": "", "city": "Austin", "country": "USA", "state": "TX", "zip": "78701"},
          "items": [{"name": "Lamp", "product_id": "P2", "item_id": "L1", "price": 20.0, "options": {"color": "red"}},
                    {"name": "Lamp", "product_id": "P2", "item_id": "L1", "price": 20.0, "options": {"color": "red"}}],
          "fulfillments": [{"tracking_id": ["123"], "item_ids": ["L1", "L1"]}], "status": "delivered",
          "payment_history": [{"transaction_type": "payment", "amount": 40.0, "payment_method_id": "credit_card_1"}]},
  "#W3": {"order_id": "#W3", "user_id": "bob_2", "address": {"address1": "9 Elm St", "address2": "Apt 2", "city": "New York", "country": "USA", "state": "NY", "zip": "10001"},
          "items": [{"name": "Lamp", "product_id": "P2", "item_id": "L2", "price": 25.1, "options": {"color": "blue"}}],
          "fulfillments": [], "status": "pending",
          "payment_history": [{"transaction_type": "payment", "amount": 25.1, "payment_method_id": "paypal_2"}]}
 },
 "products": {
  "P2": {"name": "Lamp", "product_id": "P2", "variants": {
     "L1": {"item_id": "L1", "options": {"color": "red"}, "available": true, "price": 20.0},
     "L2": {"item_id": "L2", "options": {"color": "blue"}, "available": true, "price": 25.1},
     "L3": {"item_id": "L3", "options": {"color": "gold"}, "available": true, "price": 90.0}}},
  "P1": {"name": "Keyboard", "product_id": "P1", "variants": {
     "K1": {"item_id": "K1", "options": {"switch": "linear"}, "available": true, "price": 100.5},
     "K2": {"item_id": "K2", "options": {"switch": "clicky"}, "available": true, "price": 110.25},
     "K3": {"item_id": "K3", "options": {"switch": "tactile"}, "available": false, "price": 90},
     "K4": {"item_id": "K4", "options": {"switch": "optical"}, "available": true, "price": 200.0}}}
 },
 "users": {
  "ann_1": {"name": {"first_name": "Ann", "last_name": "Lee"}, "address": {"address1": "1 Main St", "address2": "", "city": "Austin", "country": "USA", "state": "TX", "zip": "78701"},
            "email": "Ann.Lee@example.com",
            "payment_methods": {"gift_card_1": {"source": "gift_card", "balance": 50, "id": "gift_card_1"},
                                "credit_card_1": {"source": "credit_card", "brand": "visa", "last_four": "1111", "id": "credit_card_1"},
                                "paypal_1": {"source": "paypal", "id": "paypal_1"}},
            "orders": ["#W1", "#W2"]},
  "bob_2": {"name": {"first_name": "Bob", "last_name": "Ray"}, "address": {"address1": "9 Elm St", "address2": "Apt 2", "city": "New York", "country": "USA", "state": "NY", "zip": "10001"},
            "email": "bob@example.com",
            "payment_methods": {"paypal_2": {"source": "paypal", "id": "paypal_2"},
                                "gift_card_2": {"source": "gift_card", "balance": 10, "id": "gift_card_2"}},
            "orders": ["#W3"]}
 }
})";

}  // namespace remask::tau::fixtures

import Foundation
import OrdersFixture

// orders-fixture FOLDER [ROWS]: writes FOLDER/plain/orders.csv and FOLDER/lz4/orders.csv.lz4.
let arguments = CommandLine.arguments
guard arguments.count >= 2, let rows = Int(arguments.count > 2 ? arguments[2] : "1000000") else {
    print("usage: orders-fixture FOLDER [ROWS]")
    exit(64)
}
try OrdersFixture.write(rows: rows, to: arguments[1])

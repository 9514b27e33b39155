import Columnar

/// What an export leaves out that some signal reads, and so what a scan of it does not
/// judge. `SCHEMA.md` makes ratings, logistics and accounts optional, and several columns
/// of every file; another platform's export may leave any of them out. The signals read
/// an absent value as unknown, never as evidence, so such a scan runs and finds less;
/// these lines tell its reader what it could not judge and why. A gap is a file without
/// rows or a column without a value in any row (left out of the header or left empty: the
/// loaded export cannot tell them apart), so CSV and native exports say the same.
/// Columns no signal reads (`ip`, the ratings' `item_id`, `credit_code`) are no gap.
public enum ExportGaps {
    /// One line per gap, `file: what is missing: what is not judged`, in file order;
    /// empty for an export that gives everything the signals read.
    public static func lines(_ export: Export) -> [String] {
        let orders = export.orders, ratings = export.ratings, logistics = export.logistics, accounts = export.accounts
        func none<Value: Equatable>(_ column: Column<Value>, _ missing: Value) -> Bool { !column.contains { $0 != missing } }
        var lines: [String] = []
        if orders.count > 0 {
            let absent = IdDictionary.absent
            if none(orders.paidAt, Missing.time) {
                lines.append("orders.csv: no paid_at: pickups before payment are not judged; confirmations are timed from the order")
            }
            if none(orders.confirmedAt, Missing.time) { lines.append("orders.csv: no confirmed_at: fast confirmations are not judged") }
            if none(orders.device, absent) { lines.append("orders.csv: no device_id: shared devices are not judged") }
            if none(orders.payment, absent) { lines.append("orders.csv: no payment_id: shared payment accounts are not judged") }
        } else {
            lines.append("orders.csv: no orders: fake orders and every signal that reads an order are not judged")
        }
        if ratings.count == 0 {
            lines.append("ratings.csv: no ratings: malicious ratings, praise and co-reviewers are not judged")
        } else {
            if orders.count > 0 && !RatingFacts.namesOrders(export) {
                lines.append(
                    "ratings.csv: no order_id: nothing that reads a rating's order is judged (unbacked, ticket, premature, "
                        + "shared-device and refunded complaints, drive-by complainers, co-reviewers, praise of fake orders and of an "
                        + "attack's sponsor)")
            }
            if none(ratings.textLength, Missing.count) {
                lines.append("ratings.csv: no text_len: short review texts are not judged")
            } else if none(ratings.hasMedia, Missing.flag) {
                lines.append("ratings.csv: no has_media: short review texts are not judged (whether they carry a photo is unknown)")
            }
        }
        if logistics.count == 0 {
            lines.append(
                "logistics.csv: no scans: empty parcels, fast confirmations (no shop is known to ship parcels), ratings "
                    + "posted before the goods arrived and the shops' markets (which of two shops tied to a rating attack "
                    + "sells what its victim sells) are not judged")
        } else {
            if none(logistics.location, IdDictionary.absent) {
                lines.append("logistics.csv: no location: where parcels start, travel and are signed is not judged")
            }
            if none(logistics.weightGrams, Missing.count) {
                lines.append(
                    "logistics.csv: no weight_g: parcel weights and the shops' markets (which of two shops tied to a rating "
                        + "attack sells what its victim sells) are not judged")
            }
        }
        if accounts.count == 0 {
            lines.append("accounts.csv: no accounts: new accounts are not judged; co-reviewers are expected platform-wide, not per region")
        } else {
            if none(accounts.registeredAt, Missing.time) { lines.append("accounts.csv: no registered_at: new accounts are not judged") }
            if none(accounts.region, IdDictionary.absent) {
                lines.append("accounts.csv: no region: co-reviewers are expected platform-wide, not per region")
            }
        }
        return lines
    }
}

import Columnar
import Testing

@testable import Detection

/// What one waybill's trajectory tells about its parcel.
@Suite struct ParcelTellsTests {
    /// A single-order parcel picked up at `start` and signed `hours` later, with `flags`.
    private static func parcel(signedAfter hours: Int64, flags: WaybillTrajectory.Flags) -> WaybillTrajectory {
        var trajectory = WaybillTrajectory()
        trajectory.startAt = 1_800_000_000
        trajectory.signedAt = 1_800_000_000 + hours * 3600
        trajectory.flags = flags
        return trajectory
    }

    /// A parcel that travelled, took two days and was signed: no tell, whether or not the
    /// courier declared a weight. A missing weight is missing data (many outlets skip the
    /// scale for letters and same-city drop-offs), not a light parcel: only a weight under
    /// the item's baseline is the `.weightless` tell.
    @Test func aMissingWeightIsNoTell() {
        var trajectory = Self.parcel(signedAfter: 48, flags: [.transit, .moved])
        #expect(trajectory.grams == Missing.count)
        #expect(ParcelTells(trajectory, underweight: false, fastSeconds: 6 * 3600) == [])
        #expect(ParcelTells(trajectory, underweight: true, fastSeconds: 6 * 3600) == [.weightless])
        trajectory.grams = 900
        #expect(ParcelTells(trajectory, underweight: false, fastSeconds: 6 * 3600) == [])
    }

    /// A same-city parcel without a declared weight, signed within hours: fast, and no
    /// more; alone it does not look empty.
    @Test func aFastUnweighedParcelDoesNotLookEmpty() {
        let tells = ParcelTells(Self.parcel(signedAfter: 3, flags: [.transit, .moved]), underweight: false, fastSeconds: 6 * 3600)
        #expect(tells == [.fast])
        #expect(!tells.looksEmpty(minimumTells: 2))
    }
}

/// The detectors a standard scan runs, in run order.
public enum Detectors {
    public static var standard: [any Detector] {
        [
            OrderWindowDetector(), FakeOrdersDetector(), TiedSurgeDetector(), CoReviewerDetector(), EmptyParcelDetector(),
            RaterOrderDetector(), RatingBurstDetector(), RaterFairnessDetector(), RatingLockstepDetector(),
            CoComplainerDetector(),
        ]
    }
}

@testable import Diagnosis
import Testing

@Suite struct StageOrderTests {
    /// Stages compare in the order of the connection sequence (DESIGN.md "Stages"),
    /// which is also their declaration order.
    @Test func stagesCompareInSequenceOrder() {
        let all = Stage.allCases
        #expect(all.first == .syn && all.last == .active)
        for (earlier, later) in zip(all, all.dropFirst()) {
            #expect(earlier < later)
            #expect(!(later < earlier))
        }
        #expect(all.enumerated().allSatisfy { $0.offset == $0.element.order })
    }

    @Test func reachedIsTheFurthestStage() {
        var stages = [StageRecord(stage: .tlsClientHello, frame: 5, time: .zero), StageRecord(stage: .syn, frame: 1, time: .zero),
                      StageRecord(stage: .x224Confirm, frame: 4, time: .zero)]
        #expect(Stage.furthest(in: stages) == .tlsClientHello)
        stages = []
        #expect(Stage.furthest(in: stages) == nil)
    }
}

import Glibc
import Testing
@testable import rdpdiag

/// The heap mapping that `HugePages.enable` advises is found in /proc/self/maps.
@Suite struct HugePagesTests {
    @Test func findsTheMappingOfAHeapBlock() throws {
        let block = try #require(malloc(64))
        defer { free(block) }
        let address = UInt(bitPattern: block)
        let (start, end) = try #require(HugePages.mapping(containing: address))
        #expect(start <= address && address < end)
        #expect(start % 4096 == 0 && end % 4096 == 0)
        // Writing the whole block stays inside the mapping.
        #expect(address + 64 <= end)
    }

    @Test func anAddressOutsideEveryMappingHasNone() {
        // The first page is never mapped (it catches null dereferences).
        #expect(HugePages.mapping(containing: 16) == nil)
    }
}

import Formatting
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Plotting
import Testing

@Suite struct SVGChartTests {
    @Test func rendersAWellFormedSelfContainedDocument() throws {
        let chart = SVGChart(
            title: "latency <curve>", xLabel: "working set", yLabel: "ns", xScale: .log2,
            series: [.init(name: "chase", points: [.init(x: 4096, y: 1.1), .init(x: 1_048_576, y: 4, low: 3.5, high: 6),
                                                   .init(x: 67_108_864, y: 90)])],
            markers: [.init(x: 32768, label: "L1d 32K")], xTickFormat: NumberFormat.bytes)
        let svg = chart.render()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("latency &lt;curve&gt;"))
        #expect(svg.contains("L1d 32K"))
        #expect(svg.contains("<polyline"))
        #expect(svg.contains(">4K<"))
        #expect(!svg.contains("href"))
        // XMLParser accepts it: every element is closed and every attribute quoted.
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    }

    @Test func formatsBytesAndCompactNumbers() {
        #expect(NumberFormat.bytes(4096) == "4K")
        #expect(NumberFormat.bytes(1_073_741_824) == "1G")
        #expect(NumberFormat.bytes(400 * 1024) == "400K")
        #expect(NumberFormat.compact(0.5) == "0.5")
        #expect(NumberFormat.compact(25000) == "25k")
    }
}

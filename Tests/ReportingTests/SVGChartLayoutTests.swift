import Formatting
import Plotting
import Testing

@Suite struct SVGChartLayoutTests {
    @Test func logAxisGetsOneTwoFiveTicksAndMarkerLabelsDoNotCollide() {
        let points: [SVGChart.Point] = [.init(x: 4096, y: 1.1), .init(x: 1_073_741_824, y: 300)]
        let markers: [SVGChart.Marker] = [
            .init(x: 1_048_576, label: "L2 1M"),
            .init(x: 1_153_433, label: "L2 dTLB reach", color: "#c05a00"),
            .init(x: 1_073_741_824, label: "at the right edge"),
        ]
        let chart = SVGChart(title: "t", xLabel: "x", yLabel: "y", xScale: .log2, yScale: .log10,
                             series: [.init(name: "s", points: points)], markers: markers, xTickFormat: NumberFormat.bytes)
        let svg = chart.render()
        for tick in [">1<", ">2<", ">5<", ">10<", ">100<", ">200<"] { #expect(svg.contains(tick), "missing tick \(tick)") }
        // Two close markers take two label rows (y 70 and 83 below the plot's top at 58).
        #expect(svg.contains("y=\"70.0\" fill=\"#777\""))
        #expect(svg.contains("y=\"83.0\" fill=\"#c05a00\""))
        // The last label would leave the plot: it is anchored at its end instead.
        #expect(svg.contains("text-anchor=\"end\">at the right edge<"))
    }
}

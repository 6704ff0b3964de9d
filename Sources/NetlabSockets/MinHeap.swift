/// A binary min-heap: the event loop's deadlines, earliest first.
struct MinHeap<Element: Comparable> {
    private var items: [Element] = []

    var min: Element? { items.first }
    var isEmpty: Bool { items.isEmpty }

    mutating func insert(_ item: Element) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if items[child] >= items[parent] { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func removeMin() -> Element {
        let first = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count, items[left] < items[smallest] { smallest = left }
                if right < items.count, items[right] < items[smallest] { smallest = right }
                if smallest == parent { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return first
    }
}

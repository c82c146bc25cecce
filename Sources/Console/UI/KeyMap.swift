/// The key map as Markdown, rendered from the same Binding lists the console runs, so
/// docs/console.md cannot drift from the code (a test regenerates and compares it).
public enum KeyMap {
    public static func markdown(sections: [(title: String, bindings: [Binding])]) -> String {
        var text = ""
        for section in sections {
            text += "\n#### \(section.title)\n\n| Key | Action |\n|---|---|\n"
            for binding in section.bindings {
                let keys = binding.keys.map { "`\($0.label == "`" ? "``" : $0.label)`" }.joined(separator: " ")
                text += "| \(keys) | \(binding.description.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
        }
        return text
    }
}

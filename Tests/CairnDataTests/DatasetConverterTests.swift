import CairnCore
import Testing

@testable import CairnData

private func convert(_ converter: DatasetConverter, _ json: String) throws -> Conversation {
    try converter.conversation(from: try parseJSON(json))
}

private func conversionError(_ converter: DatasetConverter, _ json: String) -> String? {
    errorDescription { _ = try convert(converter, json) }
}

/// A sharegpt record with `(from, value)` turns (values without quotes) and extra top-level members.
private func shareGPT(_ turns: (String, String)..., extra: String = "") -> String {
    let list = turns.map { #"{"from": "\#($0.0)", "value": "\#($0.1)"}"# }.joined(separator: ", ")
    return #"{\#(extra)"conversations": [\#(list)]}"#
}

/// A messages record with `(role, content)` turns (contents without quotes).
private func messages(_ turns: (String, String)...) -> String {
    #"{"messages": [\#(turns.map { #"{"role": "\#($0.0)", "content": "\#($0.1)"}"# }.joined(separator: ", "))]}"#
}

private let alternate = "user and assistant turns must alternate"

// MARK: - alpaca

@Test func alpacaBuildsSystemHistoryAndTheInstructionTurn() throws {
    let result = try convert(
        .alpaca,
        #"{"instruction": "Add.", "input": "2 and 3", "output": "5", "system": "Be brief.", "#
            + #""history": [["Hi", "Hello"]], "id": 7}"#)
    #expect(
        result
            == conversation(
                (.system, "Be brief."), (.user, "Hi"), (.assistant, "Hello"), (.user, "Add.\n\n2 and 3"),
                (.assistant, "5")))
}

@Test func alpacaWithoutInputUsesTheInstructionAlone() throws {
    #expect(
        try convert(.alpaca, #"{"instruction": "Say hi.", "input": "", "output": "hi"}"#)
            == conversation((.user, "Say hi."), (.assistant, "hi")))
    #expect(
        try convert(.alpaca, #"{"instruction": "Say hi.", "input": null, "output": "hi", "system": null}"#)
            == conversation((.user, "Say hi."), (.assistant, "hi")))
}

@Test(arguments: [
    (#"{"input": "x", "output": "y"}"#, "instruction: missing required field"),
    (#"{"instruction": 3, "output": "y"}"#, "instruction: expected a string, found a number"),
    (#"{"instruction": "x"}"#, "output: missing required field"),
    (
        #"{"instruction": "x", "output": ["a", "b"]}"#,
        "output: expected a string, found an array (ranking data is not supported by supervised fine-tuning)"
    ),
    (#"{"instruction": "", "output": "y"}"#, "instruction: instruction and input are both empty"),
    (
        #"{"instruction": "x", "output": "y", "history": [["a", "b"], ["c"]]}"#,
        "history[1]: expected a [user, assistant] pair of strings, found an array of 1 elements"
    ),
    (#"{"instruction": "x", "output": "y", "history": "a"}"#, "history: expected an array, found a string"),
    (#"["instruction"]"#, "expected a JSON object, found an array"),
])
func alpacaRejectsMalformedRecords(json: String, message: String) {
    #expect(conversionError(.alpaca, json) == message)
}

// MARK: - sharegpt

@Test func shareGPTMapsRoleTagsAndTopLevelSystem() throws {
    let json = shareGPT(
        ("human", "Hi"), ("gpt", "Hello"), ("user", "2+2?"), ("assistant", "4"), extra: #""system": "Be brief.", "#)
    #expect(
        try convert(.sharegpt, json)
            == conversation(
                (.system, "Be brief."), (.user, "Hi"), (.assistant, "Hello"), (.user, "2+2?"), (.assistant, "4")))
    let inline = shareGPT(("system", "S"), ("human", "Q"), ("gpt", "A"))
    #expect(try convert(.sharegpt, inline) == conversation((.system, "S"), (.user, "Q"), (.assistant, "A")))
}

@Test(arguments: [
    (
        shareGPT(("human", "Q"), ("bot", "A")),
        #"conversations[1].from: unsupported role tag "bot"; expected "system", "human" (or "user") or "gpt" "#
            + #"(or "assistant")"#
    ),
    (
        shareGPT(("human", "Q"), ("human", "Q2"), ("gpt", "A")),
        "conversations[1]: expected an assistant turn after the user turn, found user; \(alternate)"
    ),
    (shareGPT(("gpt", "A")), "conversations[0]: expected a user turn first, found assistant; \(alternate)"),
    (
        shareGPT(("human", "Q")),
        "conversations: the conversation must end with an assistant turn (it is what the model learns)"
    ),
    (shareGPT(), "conversations: the conversation has no user and assistant turns"),
    (
        shareGPT(("human", "Q"), ("system", "S"), ("gpt", "A")),
        "conversations[1]: a system message may only come first"
    ),
    (
        #"{"conversations": [{"from": "human"}, {"from": "gpt", "value": "A"}]}"#,
        "conversations[0].value: missing required field"
    ),
    (#"{"conversations": ["hi"]}"#, "conversations[0]: expected an object, found a string"),
    (#"{"messages": []}"#, "conversations: missing required field"),
    (
        shareGPT(("system", "S2"), ("human", "Q"), ("gpt", "A"), extra: #""system": "S", "#),
        "system: the record has both a top-level system and a system turn"
    ),
])
func shareGPTRejectsMalformedRecords(json: String, message: String) {
    #expect(conversionError(.sharegpt, json) == message)
}

// MARK: - messages

@Test func messagesReadsOpenAIStyleRecordsAndTextParts() throws {
    let json = #"""
        {"messages": [{"role": "system", "content": "S"},
                      {"role": "user", "content": [{"type": "text", "text": "Q1 "}, {"type": "text", "text": "and Q2"}]},
                      {"role": "assistant", "content": "A"}]}
        """#
    #expect(try convert(.messages, json) == conversation((.system, "S"), (.user, "Q1 and Q2"), (.assistant, "A")))
}

@Test(arguments: [
    (
        messages(("user", "Q"), ("tool", "A")),
        #"messages[1].role: unsupported role "tool"; expected "system", "user" or "assistant""#
    ),
    (
        #"{"messages": [{"role": "user", "content": "Q"}, {"role": "assistant", "content": 5}]}"#,
        "messages[1].content: expected a string, found a number"
    ),
    (
        #"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": "x"}]}, "#
            + #"{"role": "assistant", "content": "A"}]}"#,
        #"messages[0].content[0].type: unsupported content part "image_url"; only "text" parts are supported"#
    ),
    (
        messages(("user", "Q"), ("assistant", "A"), ("assistant", "B")),
        "messages[2]: expected a user turn after the assistant turn, found assistant; \(alternate)"
    ),
    (#"{"messages": {"role": "user"}}"#, "messages: expected an array, found an object"),
    (messages(), "messages: the conversation has no user and assistant turns"),
])
func messagesRejectsMalformedRecords(json: String, message: String) {
    #expect(conversionError(.messages, json) == message)
}

@Test func converterNamesAreChecked() {
    #expect(throws: Never.self) { try DatasetConverter(named: "sharegpt") }
    #expect(
        errorDescription { _ = try DatasetConverter(named: "openai") }
            == "converter: unknown converter 'openai'; known converters: alpaca, sharegpt, messages")
}

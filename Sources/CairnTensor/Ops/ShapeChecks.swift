/// Stops with a message naming the op and the shapes it was given (a programming error in the calling model).
func requireShapes(
    _ condition: @autoclosure () -> Bool, _ op: StaticString, _ message: @autoclosure () -> String,
    file: StaticString = #file, line: UInt = #line
) {
    precondition(condition(), "\(op): \(message())", file: file, line: line)
}

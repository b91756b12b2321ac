@main
struct CredRules { static func main() {} }

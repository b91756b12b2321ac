import Testing

@Test func placeholderRuleExpressionsTests() {}

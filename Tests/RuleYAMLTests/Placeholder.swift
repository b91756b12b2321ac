import Testing

@Test func placeholderRuleYAMLTests() {}

class FooTest {}

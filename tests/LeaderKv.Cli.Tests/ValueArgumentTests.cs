using LeaderKv.Cli.Client;

namespace LeaderKv.Cli.Tests;

public sealed class ValueArgumentTests
{
    [Theory]
    [InlineData("42", "42")]
    [InlineData("true", "true")]
    [InlineData("""{"a":[1,2]}""", """{"a":[1,2]}""")]
    [InlineData("\"quoted\"", "\"quoted\"")]
    [InlineData("hello", "\"hello\"")]
    [InlineData("hello world", "\"hello world\"")]
    [InlineData("{not json", "\"{not json\"")]
    [InlineData("", "\"\"")]
    public void Valid_json_is_kept_and_anything_else_becomes_a_string(string text, string expectedJson)
    {
        Assert.Equal(expectedJson, ValueArgument.Parse(text)?.ToJsonString());
    }

    [Fact]
    public void The_word_null_is_json_null()
    {
        Assert.Null(ValueArgument.Parse("null"));
    }
}

using Coputer.Luau.Syntax;

namespace Coputer.Luau.Tests.Syntax;

/// <summary>
/// Invalid programs, one or more per grammar rule, with the first error's position (1-based line:column) and message
/// in the reference parser's wording.
/// </summary>
public class ParseErrorTests
{
    [Theory]
    [InlineData("local = 1", "1:7", "Expected identifier when parsing variable name, got '='")] // local_missing_name
    [InlineData("local ... = 1", "1:7", "Expected identifier when parsing variable name, got '...'")] // local_vararg_name
    [InlineData("@native local x = 1", "1:15", "Expected 'function' after local declaration with attribute, but got 'x' instead")] // local_attribute_not_function
    [InlineData("local function (x) end", "1:16", "Expected identifier when parsing variable name, got '('")] // local_function_missing_name
    [InlineData("local function f()\n  return 1\n", "3:1", "Expected 'end' (to close 'function' at line 1), got <eof>")] // local_function_missing_end
    [InlineData("function f x) end", "1:12", "Expected '(' when parsing function, got 'x'")] // function_missing_paren
    [InlineData("function 1() end", "1:10", "Expected identifier when parsing function name, got '1'")] // function_name_not_name
    [InlineData("function f()\n  if x then\n  end\n", "4:1", "Expected 'end' (to close 'function' at line 1), got <eof>; did you forget to close 'then' at line 2?")] // function_missing_end
    [InlineData("function a.1() end", "1:11", "Expected '(' when parsing function, got '.1'")] // function_field_name
    [InlineData("function a:() end", "1:12", "Expected identifier when parsing method name, got '('")] // function_method_name
    [InlineData("const f = 1\nfunction f() end", "2:10", "Variable 'f' is constant and may not be reassigned")] // function_name_const
    [InlineData("function f(a, b\nend", "2:1", "Expected ')' (to close '(' at line 1), got 'end'")] // function_params_unclosed
    [InlineData("function f() -> number end", "1:14", "Function return type annotations are written after ':' instead of '->'")] // function_return_arrow
    [InlineData("function f(): number, string end", "1:21", "Expected a statement, got ','; did you forget to wrap the list of return types in parentheses?")] // function_return_comma
    [InlineData("local f = function end", "1:20", "Expected '(' when parsing function, got 'end'")] // anon_function_missing_paren
    [InlineData("if x print(x) end", "1:6", "Expected 'then' when parsing if statement, got 'print'")] // if_missing_then
    [InlineData("if x then\n  print(x)\n", "3:1", "Expected 'end' (to close 'then' at line 1), got <eof>")] // if_missing_end
    [InlineData("if x then elseif y end", "1:20", "Expected 'then' when parsing if statement, got 'end'")] // elseif_missing_then
    [InlineData("if x then else\n", "2:1", "Expected 'end' (to close 'else' at line 1), got <eof>")] // else_missing_end
    [InlineData("while x print(x) end", "1:9", "Expected 'do' when parsing while loop, got 'print'")] // while_missing_do
    [InlineData("while x do\n", "2:1", "Expected 'end' (to close 'do' at line 1), got <eof>")] // while_missing_end
    [InlineData("repeat\n  x()\n", "3:1", "Expected 'until' (to close 'repeat' at line 1), got <eof>")] // repeat_missing_until
    [InlineData("repeat until", "1:13", "Expected identifier when parsing expression, got <eof>")] // repeat_missing_cond
    [InlineData("do\n  x()\n", "3:1", "Expected 'end' (to close 'do' at line 1), got <eof>")] // do_missing_end
    [InlineData("for i 1, 2 do end", "1:7", "Expected 'in' when parsing for loop, got '1'")] // for_missing_eq_or_in
    [InlineData("for i = 1 2 do end", "1:11", "Expected ',' when parsing index range, got '2'")] // for_missing_comma
    [InlineData("for i = 1, 2 print(i) end", "1:14", "Expected 'do' when parsing for loop, got 'print'")] // for_missing_do
    [InlineData("for i = 1, 2 do\n", "2:1", "Expected 'end' (to close 'do' at line 1), got <eof>")] // for_missing_end
    [InlineData("for k, v pairs(t) do end", "1:10", "Expected 'in' when parsing for loop, got 'pairs'")] // forin_missing_in
    [InlineData("for k in t print(k) end", "1:12", "Expected 'do' when parsing for loop, got 'print'")] // forin_missing_do
    [InlineData("for 1 in t do end", "1:5", "Expected identifier when parsing variable name, got '1'")] // forin_bad_name
    [InlineData("break", "1:1", "break statement must be inside a loop")] // break_outside
    [InlineData("while true do local f = function() break end end", "1:36", "break statement must be inside a loop")] // break_in_function_in_loop
    [InlineData("continue", "1:1", "continue statement must be inside a loop")] // continue_outside
    [InlineData("return 1\nprint(2)", "2:1", "Expected <eof>, got 'print'")] // return_not_last
    [InlineData("return 1,", "1:10", "Expected identifier when parsing expression, got <eof>")] // return_trailing_comma
    [InlineData("f() = 1", "1:5", "Expected identifier when parsing expression, got '='")] // assign_to_call
    [InlineData("const x = 1\nx = 2", "2:1", "Variable 'x' is constant and may not be reassigned")] // assign_to_const
    [InlineData("x =", "1:4", "Expected identifier when parsing expression, got <eof>")] // assign_missing_value
    [InlineData("a, 1 = 1, 2", "1:4", "Expected identifier when parsing expression, got '1'")] // assign_list_to_literal
    [InlineData("const x = 1\nx += 1", "2:1", "Variable 'x' is constant and may not be reassigned")] // compound_to_const
    [InlineData("f() += 1", "1:5", "Expected identifier when parsing expression, got '+='")] // compound_to_call
    [InlineData("x += ", "1:6", "Expected identifier when parsing expression, got <eof>")] // compound_missing_value
    [InlineData("x", "1:1", "Incomplete statement: expected assignment or a function call")] // incomplete_statement
    [InlineData("x.y", "1:1", "Incomplete statement: expected assignment or a function call")] // incomplete_statement_expr
    [InlineData("1 = 2", "1:1", "Expected identifier when parsing expression, got '1'")] // statement_starts_with_number
    [InlineData("local x = 1 )", "1:13", "Expected identifier when parsing expression, got ')'")] // unexpected_token
    [InlineData("local x = f\n(g)()", "2:1", "Ambiguous syntax: this looks like an argument list for a function call, but could also be a start of new statement; use ';' to separate statements")] // ambiguous_call
    [InlineData("f\n(g)", "2:1", "Ambiguous syntax: this looks like an argument list for a function call, but could also be a start of new statement; use ';' to separate statements")] // ambiguous_call_statement
    [InlineData("a:b", "1:1", "Expected '(', '{' or <string> when parsing function call, got <eof>")] // method_call_no_args
    [InlineData("a:b\nc()", "1:1", "Expected function call arguments after '('")] // method_call_newline
    [InlineData("local x = a:b + 1", "1:11", "Expected '(', '{' or <string> when parsing function call, got '+'")] // call_bad_args
    [InlineData("local x = t[1", "1:14", "Expected ']' (to close '[' at column 12), got <eof>")] // index_unclosed
    [InlineData("local x = t.end", "1:13", "Expected identifier, got 'end'")] // index_name_keyword
    [InlineData("local x = t.", "1:13", "Expected identifier, got <eof>")] // index_name_missing
    [InlineData("local x = (1 + 2", "1:17", "Expected ')' (to close '(' at column 11), got <eof>")] // paren_unclosed
    [InlineData("local x = (a = 1)", "1:14", "Expected ')' (to close '(' at column 11), got '='; did you mean to use '{' when defining a table?")] // paren_table_suggestion
    [InlineData("function f() return ... end", "1:21", "Cannot use '...' outside of a vararg function")] // vararg_outside
    [InlineData("local t = {a = 1 b = 2}", "1:18", "Expected ',' after table constructor element")] // table_missing_comma
    [InlineData("local t = {1, 2", "1:16", "Expected '}' (to close '{' at column 11), got <eof>")] // table_unclosed
    [InlineData("local t = {[1 = 2}", "1:15", "Expected ']' (to close '[' at column 12), got '='")] // table_key_unclosed
    [InlineData("local t = {[1] 2}", "1:16", "Expected '=' when parsing table field, got '2'")] // table_key_missing_eq
    [InlineData("local x = 1 +", "1:14", "Expected identifier when parsing expression, got <eof>")] // binary_missing_rhs
    [InlineData("local x = not", "1:14", "Expected identifier when parsing expression, got <eof>")] // unary_missing_operand
    [InlineData("local x = a != b", "1:13", "Unexpected '!='; did you mean '~='?")] // confusable_not_equal
    [InlineData("local x = a && b", "1:13", "Unexpected '&&'; did you mean 'and'?")] // confusable_and
    [InlineData("local x = a || b", "1:13", "Unexpected '||'; did you mean 'or'?")] // confusable_or
    [InlineData("local x = !a", "1:11", "Unexpected '!'; did you mean 'not'?")] // confusable_not
    [InlineData("local x = if a then b", "1:22", "Expected 'else' when parsing if then else expression, got <eof>")] // ifelse_missing_else
    [InlineData("local x = if a b else c", "1:16", "Expected 'then' when parsing if then else expression, got 'b'")] // ifelse_missing_then
    [InlineData("local x = 1.2.3", "1:11", "Malformed number")] // malformed_number
    [InlineData("local x = 1e", "1:11", "Malformed number")] // malformed_number_exp
    [InlineData("local x = 0xg", "1:11", "Malformed number")] // malformed_hex
    [InlineData("local x = 0b102", "1:11", "Malformed number")] // malformed_binary
    [InlineData("local x = 0b0b1", "1:11", "Malformed number")] // malformed_binary_prefix
    [InlineData("local x = 9223372036854775808i", "1:11", "Integer overflow")] // integer_overflow
    [InlineData("local x = 1.5i", "1:11", "Malformed integer")] // malformed_integer
    [InlineData("local s = \"abc", "1:11", "Malformed string; did you forget to finish it?")] // string_unfinished
    [InlineData("local s = 'abc\ndef'", "1:11", "Malformed string; did you forget to finish it?")] // string_newline
    [InlineData("local s = \"\\xZZ\"", "1:11", "String literal contains malformed escape sequence")] // string_bad_escape_x
    [InlineData("local s = \"\\300\"", "1:11", "String literal contains malformed escape sequence")] // string_bad_escape_decimal
    [InlineData("local s = \"\\u{110000}\"", "1:11", "String literal contains malformed escape sequence")] // string_bad_escape_unicode
    [InlineData("local s = \"\\u{}\"", "1:11", "String literal contains malformed escape sequence")] // string_bad_escape_unicode_empty
    [InlineData("local s = [[abc", "1:11", "Malformed string; did you forget to finish it?")] // long_string_unfinished
    [InlineData("local s = [=abc", "1:11", "Malformed string; did you forget to finish it?")] // long_string_bad_open
    [InlineData("--[[ abc\nlocal x = 1", "1:1", "Expected identifier when parsing expression, got unfinished comment")] // comment_unfinished
    [InlineData("local s = `abc", "1:11", "Malformed string; did you forget to finish it?")] // interp_unfinished
    [InlineData("local s = `abc {x", "1:17", "Malformed interpolated string; did you forget to add a '}'?")] // interp_unclosed_brace
    [InlineData("local s = `abc {} def`", "1:11", "Malformed interpolated string, expected expression inside '{}'")] // interp_empty_hole
    [InlineData("local s = `abc {{x}}`", "1:11", "Double braces are not permitted within interpolated strings; did you mean '\\{'?")] // interp_double_brace
    [InlineData("local s = `\\xZZ`", "1:11", "String literal contains malformed escape sequence")] // interp_bad_escape
    [InlineData("local s = `a {x}\nlocal y = 1", "1:16", "Malformed interpolated string; did you forget to add a '`'?")] // interp_missing_backtick_after_hole
    [InlineData("type A number", "1:8", "Expected '=' when parsing type alias, got 'number'")] // type_alias_missing_eq
    [InlineData("type = = number", "1:8", "Expected identifier when parsing expression, got '='")] // type_alias_missing_name
    [InlineData("type A =", "1:9", "Expected type, got <eof>")] // type_alias_missing_type
    [InlineData("type A<T..., U> = number", "1:15", "Generic types come before generic type packs")] // type_generic_order
    [InlineData("type A<T = number, U> = U", "1:21", "Expected default type after type name")] // type_generic_default_order
    [InlineData("type A<T... = ...number, U...> = number", "1:30", "Expected default type pack after type pack name")] // type_generic_pack_default_order
    [InlineData("type A<T... = number> = number", "1:15", "Expected type pack after '=', got type")] // type_generic_pack_default_type
    [InlineData("type A<T,> = T", "1:10", "Expected type after ',' but got '>' instead")] // type_generic_trailing_comma
    [InlineData("local x: function = nil", "1:10", "Using 'function' as a type annotation is not supported, consider replacing with a function type annotation e.g. '(...any) -> ...any'")] // type_function_type
    [InlineData("local x: () = nil", "1:10", "Expected '->' after '()' when parsing function type; did you mean 'nil'?")] // type_unit_type
    [InlineData("type A = B | C & D", "1:10", "Mixing union and intersection types is not allowed; consider wrapping in parentheses.")] // type_mixing
    [InlineData("type A = B? & C", "1:10", "Mixing union and intersection types is not allowed; consider wrapping in parentheses.")] // type_mixing_optional
    [InlineData("local x: = 1", "1:9", "Expected type, got '='")] // type_missing
    [InlineData("type F = (number): string", "1:18", "Return types in function type annotations are written after '->' instead of ':'")] // type_colon_return
    [InlineData("local x: T... = 1", "1:11", "Unexpected '...' after type name; type pack is not allowed in this context")] // type_pack_after_name
    [InlineData("type A = `abc`", "1:10", "Interpolated string literals cannot be used as types")] // type_interp_string
    [InlineData("type A = \"\\xZZ\"", "1:10", "String literal contains malformed escape sequence")] // type_bad_escape
    [InlineData("type A = \"abc", "1:10", "Malformed string; did you forget to finish it?")] // type_broken_string
    [InlineData("type F = @checked (number) -> number", "1:10", "attributes are not allowed in declaration context")] // type_attribute
    [InlineData("type T = {[string]: number, [number]: string}", "1:29", "Cannot have more than one table indexer")] // type_table_two_indexers
    [InlineData("type T = {a number}", "1:13", "Expected '}' (to close '{' at column 10), got 'number'")] // type_table_missing_colon
    [InlineData("type T = {a: number", "1:20", "Expected '}' (to close '{' at column 10), got <eof>")] // type_table_unclosed
    [InlineData("type T = {[\"a\\0b\"]: number}", "1:11", "String literal contains malformed escape sequence or \\0")] // type_table_nul_key
    [InlineData("type T = {[\"\\xZZ\"]: number}", "1:11", "String literal contains malformed escape sequence or \\0")] // type_table_bad_key
    [InlineData("type A = B<number", "1:18", "Expected '>' (to close '<' at column 11), got <eof>")] // type_params_unclosed
    [InlineData("type F = (number,) -> ()", "1:18", "Expected type after ',' but got ')' instead")] // type_list_trailing_comma
    [InlineData("type A = typeof x", "1:17", "Expected '(' when parsing typeof type, got 'x'")] // typeof_missing_paren
    [InlineData("type function (t) end", "1:15", "Expected identifier when parsing type function name, got '('")] // type_function_missing_name
    [InlineData("local x = 1\ntype function f() return x end", "2:28", "Type function cannot reference outer local 'x'")] // type_function_outer_local
    [InlineData("type A = typeof(x", "1:18", "Expected ')' (to close '(' at column 16), got <eof>")] // typeof_unclosed
    [InlineData("local x = y ::", "1:15", "Expected type, got <eof>")] // type_assertion_missing_type
    [InlineData("local x = f<<number>(1)", "1:21", "Expected '>' (to close '<' at column 12), got '('")] // explicit_instantiation_unclosed
    [InlineData("@foo function f() end", "1:1", "Invalid attribute '@foo'")] // attribute_unknown
    [InlineData("@native @native function f() end", "1:9", "Cannot duplicate attribute '@native'")] // attribute_duplicate
    [InlineData("@[] function f() end", "1:1", "Attribute list cannot be empty")] // attribute_empty_list
    [InlineData("@ function f() end", "1:1", "Attribute name is missing")] // attribute_missing_name
    [InlineData("@native x = 1", "1:9", "Expected 'function', 'local function', 'const function', 'declare function' or a function type declaration after attribute, but got 'x' instead")] // attribute_not_function
    [InlineData("local f = @native 1", "1:11", "Expected 'function' declaration after attribute, but got '1' instead")] // attribute_expr_not_function
    [InlineData("@[native function f() end", "1:10", "Expected ']' (to close '@[' at column 1), got 'function'")] // attribute_list_unclosed
    [InlineData("@[deprecated(x)] function f() end", "1:14", "Only literals can be passed as arguments for attributes")] // attribute_nonliteral_arg
    [InlineData("@[deprecated(\"a\", \"b\")] function f() end", "1:3", "@deprecated can be parametrized only by 1 argument")] // attribute_deprecated_two_args
    [InlineData("@[deprecated(1)] function f() end", "1:14", "Unknown argument type for @deprecated")] // attribute_deprecated_bad_type
    [InlineData("@[deprecated {foo = \"x\"}] function f() end", "1:15", "Unknown argument 'foo' for @deprecated. Only string constants for 'use' and 'reason' are allowed")] // attribute_deprecated_bad_key
    [InlineData("@[deprecated {use = 1}] function f() end", "1:21", "Only constant string allowed as value for 'use'")] // attribute_deprecated_bad_value
    [InlineData("@[deprecated {\"x\"}] function f() end", "1:15", "Only constants keys 'use' and 'reason' are allowed for @deprecated attribute")] // attribute_deprecated_list_item
    [InlineData("@debugnoinline function f() end", "1:1", "Invalid attribute '@debugnoinline'")] // attribute_debugnoinline_disabled
    [InlineData("const x", "1:1", "Missing initializer in const declaration")] // const_missing_init
    [InlineData("const a, b = 1", "1:1", "Missing initializer in const declaration")] // const_not_enough
    [InlineData("const function f() end\nf = nil", "2:1", "Variable 'f' is constant and may not be reassigned")] // const_function_reassign
    [InlineData("export x = 1", "1:1", "Incomplete statement: expected assignment or a function call")] // export_not_type
    [InlineData("end", "1:1", "Expected <eof>, got 'end'")] // eof_expected
    [InlineData("f(1,)", "1:5", "Expected expression after ',' but got ')' instead")] // expr_list_trailing_comma_paren
    [InlineData("local function f(a,) end", "1:20", "Expected identifier when parsing variable name, got ')'")] // funcargs_trailing_comma
    [InlineData("function f<>() end", "1:12", "Expected identifier, got '>'")] // generic_function_bad
    public void ReportsFirstError(string source, string position, string message)
    {
        ParseResult result = Parser.Parse(source);

        Assert.True(result.HasErrors, "expected a syntax error");
        ParseError first = result.Errors[0];
        Assert.Equal(message, first.Message);
        Assert.Equal(position, $"{first.Location.Begin.Line + 1}:{first.Location.Begin.Column + 1}");
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Fakes.ComfyUI.Validation;

/// <summary>
/// ComfyUI's error details are Python f-strings: str() and repr() of Python values. These helpers print JSON
/// values the way Python prints the values json.loads made of them, so error texts match a real server's.
/// </summary>
internal static class PythonText
{
    public static string Repr(string s)
    {
        var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in s)
        {
            switch (c)
            {
                case '\\': sb.Append(@"\\"); break;
                case '\n': sb.Append(@"\n"); break;
                case '\r': sb.Append(@"\r"); break;
                case '\t': sb.Append(@"\t"); break;
                default:
                    if (c == quote) sb.Append('\\').Append(c);
                    else if (c < ' ') sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.Append(quote).ToString();
    }

    /// <summary>repr() of a JSON value as Python holds it.</summary>
    public static string Repr(JsonNode? node) => node switch
    {
        null => "None",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Repr(v.GetValue<string>()),
        JsonArray a => "[" + string.Join(", ", a.Select(Repr)) + "]",
        JsonObject o => "{" + string.Join(", ", o.Select(p => Repr(p.Key) + ": " + Repr(p.Value))) + "}",
        _ => Str(node),
    };

    /// <summary>str() of a JSON value as Python holds it.</summary>
    public static string Str(JsonNode? node) => node switch
    {
        null => "None",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>(),
            JsonValueKind.True => "True",
            JsonValueKind.False => "False",
            JsonValueKind.Number => NumberText(v),
            _ => v.ToJsonString(),
        },
        _ => Repr(node),
    };

    /// <summary>Python truthiness of a JSON value (bool(x)).</summary>
    public static bool Truthy(JsonNode? val) => val switch
    {
        null => false,
        JsonArray a => a.Count > 0,
        JsonObject o => o.Count > 0,
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => v.GetValue<string>().Length > 0,
            JsonValueKind.False => false,
            JsonValueKind.Number => double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture) != 0,
            _ => true,
        },
        _ => true,
    };

    public static string ListRepr(IEnumerable<JsonNode?> items) => "[" + string.Join(", ", items.Select(Repr)) + "]";

    /// <summary>A JSON number printed as Python prints the int or float json.loads made of it.</summary>
    private static string NumberText(JsonValue v)
    {
        var raw = v.ToJsonString();
        if (!raw.Contains('.') && !raw.Contains('e') && !raw.Contains('E')) return raw;
        return Float(double.Parse(raw, CultureInfo.InvariantCulture));
    }

    /// <summary>Python's repr(float): shortest round-trip digits, ".0" on whole numbers, "e-05" style exponents.</summary>
    public static string Float(double d)
    {
        if (double.IsNaN(d)) return "nan";
        if (double.IsPositiveInfinity(d)) return "inf";
        if (double.IsNegativeInfinity(d)) return "-inf";
        var abs = Math.Abs(d);
        if (abs != 0 && (abs < 1e-4 || abs >= 1e16))
        {
            var text = d.ToString("E16", CultureInfo.InvariantCulture);
            var shortest = d.ToString("R", CultureInfo.InvariantCulture);
            var mantissa = shortest.Contains('E') ? shortest[..shortest.IndexOf('E')] : shortest;
            var exponent = int.Parse(text[(text.IndexOf('E') + 1)..], CultureInfo.InvariantCulture);
            if (!shortest.Contains('E'))
            {
                // Re-derive the mantissa from the shortest digits when "R" printed a plain number.
                var digits = shortest.Replace("-", "").Replace(".", "").TrimStart('0').TrimEnd('0');
                mantissa = (d < 0 ? "-" : "") + digits[0] + (digits.Length > 1 ? "." + digits[1..] : "");
            }
            return $"{mantissa}e{(exponent < 0 ? "-" : "+")}{Math.Abs(exponent):00}";
        }
        var plain = d.ToString("R", CultureInfo.InvariantCulture);
        if (plain.Contains('E')) plain = ((decimal)d).ToString(CultureInfo.InvariantCulture);
        return plain.Contains('.') ? plain : plain + ".0";
    }
}

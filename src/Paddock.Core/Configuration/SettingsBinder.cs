using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace Paddock.Core.Configuration;

/// <summary>
/// Binds a configuration section onto a settings object property by property, and says what is wrong with each
/// value in words a user can act on: the full key, the value given, and what it accepts. ASP.NET's binder throws on
/// the first value it cannot convert, naming a CLR type; a start must instead list every bad setting at once.
/// </summary>
/// <remarks>
/// Understands strings, booleans, whole and decimal numbers, time spans, enums, absolute URIs, lists (indexed
/// children), dictionaries (named children) and nested settings classes. <see cref="RangeAttribute"/> on a number is
/// checked here, so its message names the key. Keys that match no property are reported as unknown (a typo in a
/// setting name must not be ignored silently).
/// </remarks>
public static class SettingsBinder
{
    public static void Bind(IConfigurationSection section, object target, ICollection<string> problems, bool reportUnknownKeys = true)
    {
        var properties = SettableProperties(target.GetType());
        foreach (var child in section.GetChildren())
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                if (reportUnknownKeys) problems.Add(UnknownKey(child.Path, section.Path, properties.Keys));
                continue;
            }
            var current = property.GetValue(target);
            if (TryRead(child, property.PropertyType, current, problems, out var value))
            {
                if (value is not null && property.GetCustomAttribute<RangeAttribute>() is { } range && !InRange(value, range))
                {
                    problems.Add($"{child.Path} is {Show(child.Value)}; it must be between {range.Minimum} and {range.Maximum}");
                    continue;
                }
                property.SetValue(target, value);
            }
        }
    }

    /// <summary>The names a section's object accepts, for messages and for checks of shared sections.</summary>
    public static IReadOnlyCollection<string> KeysOf(Type type) => SettableProperties(type).Keys;

    public static string UnknownKey(string path, string sectionPath, IEnumerable<string> known)
    {
        var names = known.Order(StringComparer.Ordinal).ToList();
        var key = path[(path.LastIndexOf(':') + 1)..];
        var near = names.FirstOrDefault(n => Distance(n.ToLowerInvariant(), key.ToLowerInvariant()) <= 2);
        return near is not null
            ? $"{path} is not a setting; did you mean {sectionPath}:{near}?"
            : $"{path} is not a setting; {sectionPath} takes {string.Join(", ", names)}";
    }

    private static Dictionary<string, PropertyInfo> SettableProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.CanWrite || IsCollection(p.PropertyType)) && p.GetMethod is not null)
            .ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static bool IsCollection(Type type) =>
        type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(List<>) || type.GetGenericTypeDefinition() == typeof(Dictionary<,>));

    private static bool TryRead(IConfigurationSection section, Type type, object? current, ICollection<string> problems, out object? value)
    {
        value = null;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
            return TryReadList(section, underlying, current, problems, out value);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            return TryReadDictionary(section, underlying, current, problems, out value);
        if (IsSettingsClass(underlying))
        {
            if (section.Value is { Length: > 0 })
            {
                problems.Add($"{section.Path} is a group of settings, not a value; set {section.Path}:<name> instead (it takes {string.Join(", ", KeysOf(underlying))})");
                return false;
            }
            var nested = current ?? Activator.CreateInstance(underlying)!;
            Bind(section, nested, problems);
            value = nested;
            return true;
        }

        var text = section.Value;
        if (text is null)
        {
            problems.Add($"{section.Path} takes one value ({Describe(underlying)}), not a group of settings");
            return false;
        }
        if (text.Length == 0 && type != typeof(string))
        {
            // An empty value means "not set" (e.g. PADDOCK__PUBLICBASEURL= in an environment file).
            value = Nullable.GetUnderlyingType(type) is not null || !type.IsValueType ? null : current;
            return true;
        }
        if (TryParse(text, underlying, out value)) return true;
        problems.Add(underlying == typeof(TimeSpan) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? $"{section.Path} is {Show(text)}; a time span says its unit: write 00:00:{number:00} for {number} seconds (hh:mm:ss)"
            : $"{section.Path} is {Show(text)}; it must be {Describe(underlying)}");
        return false;
    }

    private static bool TryReadList(IConfigurationSection section, Type listType, object? current, ICollection<string> problems, out object? value)
    {
        var itemType = listType.GetGenericArguments()[0];
        var list = (IList)Activator.CreateInstance(listType)!;
        value = list;
        if (section.Value is { Length: > 0 } single && !IsSettingsClass(itemType))
        {
            // One value where a list is expected: a list of one (a comma list is split, as in PADDOCK__X=a,b).
            foreach (var part in single.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (TryParse(part, itemType, out var item)) list.Add(item);
                else problems.Add($"{section.Path} contains {Show(part)}; each item must be {Describe(itemType)}");
            }
            return true;
        }
        foreach (var child in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out var i) ? i : int.MaxValue))
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problems.Add($"{child.Path}: {section.Path} is a list; name its items {section.Path}:0, {section.Path}:1, …");
                continue;
            }
            if (TryRead(child, itemType, null, problems, out var item)) list.Add(item);
        }
        return true;
    }

    private static bool TryReadDictionary(IConfigurationSection section, Type dictionaryType, object? current, ICollection<string> problems, out object? value)
    {
        var valueType = dictionaryType.GetGenericArguments()[1];
        var dictionary = (IDictionary)(current ?? Activator.CreateInstance(dictionaryType)!);
        value = dictionary;
        foreach (var child in section.GetChildren())
        {
            var existing = dictionary.Contains(child.Key) ? dictionary[child.Key] : null;
            if (TryRead(child, valueType, existing, problems, out var item)) dictionary[child.Key] = item;
        }
        return true;
    }

    private static bool IsSettingsClass(Type type) => type.IsClass && type != typeof(string) && type != typeof(Uri);

    private static bool TryParse(string text, Type type, out object? value)
    {
        var invariant = CultureInfo.InvariantCulture;
        value = null;
        text = text.Trim();
        switch (type)
        {
            case var t when t == typeof(string): value = text; return true;
            case var t when t == typeof(bool):
                if (bool.TryParse(text, out var b)) { value = b; return true; }
                return false;
            case var t when t == typeof(int):
                if (int.TryParse(text, NumberStyles.Integer, invariant, out var i)) { value = i; return true; }
                return false;
            case var t when t == typeof(long):
                if (long.TryParse(text, NumberStyles.Integer, invariant, out var l)) { value = l; return true; }
                return false;
            case var t when t == typeof(double):
                if (double.TryParse(text, NumberStyles.Float, invariant, out var d) && double.IsFinite(d)) { value = d; return true; }
                return false;
            case var t when t == typeof(TimeSpan):
                // A bare number would be read as days ("30" is a month): a time span must say its hours, minutes and seconds.
                if (text.Contains(':', StringComparison.Ordinal) && TimeSpan.TryParse(text, invariant, out var span)) { value = span; return true; }
                return false;
            case var t when t == typeof(Uri):
                if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https") { value = uri; return true; }
                return false;
            case var t when t.IsEnum:
                var match = Enum.GetNames(t).FirstOrDefault(n => string.Equals(n, text.Replace("_", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                if (match is null) return false;
                value = Enum.Parse(t, match);
                return true;
            default:
                return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(string) => "text",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(int) || type == typeof(long) => "a whole number",
        _ when type == typeof(double) => "a number",
        _ when type == typeof(TimeSpan) => "a time span such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (one day)",
        _ when type == typeof(Uri) => "an absolute http(s) URL such as https://video.example.com",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())),
        _ => type.Name,
    };

    private static bool InRange(object value, RangeAttribute range)
    {
        var number = Convert.ToDouble(value, CultureInfo.InvariantCulture);
        return number >= Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture) && number <= Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
    }

    private static string Show(string? text) => text is null ? "a group of settings" : $"'{(text.Length > 80 ? text[..80] + "…" : text)}'";

    private static int Distance(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            previous = current;
        }
        return previous[b.Length];
    }
}

using System.Globalization;

namespace Shrink.Cli;

/// <summary>
/// The parsed command line of one command: positional arguments, options with a value and switches. Every
/// problem is a <see cref="ShrinkException"/> that names the option.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _switches = new(StringComparer.Ordinal);

    public List<string> Positional { get; } = new();

    /// <param name="args">What follows the command name.</param>
    /// <param name="command">The command, for messages.</param>
    /// <param name="valueOptions">Options that take a value, without the leading dashes.</param>
    /// <param name="switchOptions">Options that take none.</param>
    public static Arguments Parse(IReadOnlyList<string> args, string command, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> switchOptions)
    {
        var result = new Arguments();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                if (arg.StartsWith('-') && arg.Length > 1 && !double.TryParse(arg, CultureInfo.InvariantCulture, out _))
                    throw new ShrinkException($"unknown option '{arg}' for 'shrink {command}'; see 'shrink {command} --help'");
                result.Positional.Add(arg);
                continue;
            }
            string name = arg[2..];
            string? inline = null;
            int eq = name.IndexOf('=');
            if (eq >= 0) { inline = name[(eq + 1)..]; name = name[..eq]; }
            if (switchOptions.Contains(name))
            {
                if (inline is not null) throw new ShrinkException($"'--{name}' takes no value; got '{inline}'");
                result._switches.Add(name);
            }
            else if (valueOptions.Contains(name))
            {
                // The next argument is the value unless it is another option: '--target --lambda 0.1' lacks a target.
                bool next = i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2);
                string value = inline ?? (next ? args[++i] : throw new ShrinkException($"'--{name}' needs a value"));
                if (result._values.ContainsKey(name)) throw new ShrinkException($"'--{name}' is given more than once");
                result._values[name] = value;
            }
            else
            {
                throw new ShrinkException($"unknown option '--{name}' for 'shrink {command}'; see 'shrink {command} --help'");
            }
        }
        return result;
    }

    public bool Has(string name) => _switches.Contains(name);

    public string? Text(string name) => _values.TryGetValue(name, out var v) ? v : null;

    /// <param name="name">The option, without dashes.</param>
    /// <param name="range">The allowed range in words ("≥ 0", "in [0, 1]"), for the message.</param>
    public double? Number(string name, string range)
    {
        if (Text(name) is not { } text) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
            throw new ShrinkException($"'--{name}' must be a finite number {range}; got '{text}'");
        return value;
    }

    public int? Integer(string name, string range)
    {
        if (Text(name) is not { } text) return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value))
            throw new ShrinkException($"'--{name}' must be a whole number {range}; got '{text}'");
        return value;
    }

    public IReadOnlyList<double>? NumberList(string name, string range)
    {
        if (Text(name) is not { } text) return null;
        if (text.Trim().Length == 0) return [];
        return text.Split(',', StringSplitOptions.TrimEntries).Select(item =>
            double.TryParse(item, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value)
                ? value
                : throw new ShrinkException($"'--{name}' must be a comma-separated list of finite numbers {range}; got '{item}' in '{text}'")).ToArray();
    }

    public IReadOnlyList<string>? List(string name)
    {
        if (Text(name) is not { } text) return null;
        var items = text.Split(',', StringSplitOptions.TrimEntries);
        if (items.Any(s => s.Length == 0)) throw new ShrinkException($"'--{name}' must be a comma-separated list of names; got '{text}'");
        return items;
    }

    public string Single(string what, string command)
    {
        if (Positional.Count == 0) throw new ShrinkException($"'shrink {command}' needs {what}; see 'shrink {command} --help'");
        if (Positional.Count > 1) throw new ShrinkException($"'shrink {command}' takes one argument, {what}; got {Positional.Count}: {string.Join(" ", Positional)}");
        return Positional[0];
    }
}

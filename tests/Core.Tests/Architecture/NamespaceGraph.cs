using System.Reflection;
using System.Reflection.Emit;

namespace BatchDashboard.Core.Tests.Architecture;

/// <summary>
/// Which of an assembly's namespaces use which, read from the compiled code: every type's base, interfaces, members'
/// signatures and the types and members its method bodies name (lambdas and async state machines count for the type
/// that declares them). Each edge keeps one example, "Type → Type", to say where a dependency comes from.
/// </summary>
internal sealed class NamespaceGraph
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private readonly Func<Type, string?> _groupOf;

    public NamespaceGraph(Assembly assembly, Func<Type, string?> groupOf)
    {
        _groupOf = groupOf;
        foreach (var type in assembly.GetTypes())
        {
            if (groupOf(Outermost(type)) is { } from)
            {
                Nodes.Add(from);
                foreach (var used in UsedBy(type))
                {
                    if (groupOf(Outermost(used)) is { } to && to != from)
                    {
                        Edges.TryAdd((from, to), $"{Outermost(type).Name} → {Outermost(used).Name}");
                    }
                }
            }
        }
    }

    public SortedSet<string> Nodes { get; } = new(StringComparer.Ordinal);

    /// <summary>Each dependency, with one example of a type that makes it.</summary>
    public Dictionary<(string From, string To), string> Edges { get; } = [];

    /// <summary>Every pair of namespaces that depend on each other, directly or through others, as "A → B → A".</summary>
    public IReadOnlyList<string> Cycles()
    {
        var cycles = new List<string>();
        foreach (var start in Nodes)
        {
            // The shortest way back to the start, by breadth-first search.
            var previous = new Dictionary<string, string>();
            var queue = new Queue<string>([start]);
            while (queue.Count > 0)
            {
                var node = queue.Dequeue();
                foreach (var next in Edges.Keys.Where(e => e.From == node).Select(e => e.To).Order(StringComparer.Ordinal))
                {
                    if (next == start)
                    {
                        var path = new List<string> { start };
                        for (var at = node; at != start; at = previous[at])
                        {
                            path.Insert(1, at);
                        }

                        path.Add(start);
                        var steps = path.Zip(path.Skip(1), (a, b) => $"{a} → {b} ({Edges[(a, b)]})");
                        cycles.Add(string.Join("; ", steps));
                        queue.Clear();
                        break;
                    }

                    if (previous.TryAdd(next, node))
                    {
                        queue.Enqueue(next);
                    }
                }
            }
        }

        return cycles;
    }

    private static Type Outermost(Type type)
    {
        while (type.IsNested)
        {
            type = type.DeclaringType!;
        }

        return type;
    }

    private static IEnumerable<Type> UsedBy(Type type)
    {
        var used = new List<Type>();
        if (type.BaseType is { } baseType)
        {
            used.Add(baseType);
        }

        used.AddRange(type.GetInterfaces());
        used.AddRange(type.GetCustomAttributesData().Select(a => a.AttributeType));
        foreach (var field in type.GetFields(Declared))
        {
            used.Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(Declared))
        {
            used.Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                used.Add(info.ReturnType);
            }

            used.AddRange(method.GetParameters().Select(p => p.ParameterType));
            used.AddRange(InBody(method));
        }

        return used.SelectMany(Expand).Distinct();
    }

    /// <summary>A type with its element type and generic arguments, at any depth.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        if (type.HasElementType)
        {
            return Expand(type.GetElementType()!);
        }

        if (type.IsGenericParameter)
        {
            return [];
        }

        return type.IsGenericType
            ? type.GetGenericArguments().SelectMany(Expand).Prepend(type.GetGenericTypeDefinition())
            : [type];
    }

    /// <summary>The types a method body names: in type tokens, and as the declaring types of the fields and methods it uses.</summary>
    private static IEnumerable<Type> InBody(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            var value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            var code = OpCodesByValue[value];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField:
                    var token = BitConverter.ToInt32(il, at);
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(token, typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                        // A token the runtime cannot resolve here (none in our code so far): nothing to learn from it.
                    }

                    switch (member)
                    {
                        case Type t:
                            yield return t;
                            break;
                        case MethodBase m:
                            yield return m.DeclaringType!;
                            if (m is MethodInfo mi)
                            {
                                yield return mi.ReturnType;
                                foreach (var argument in mi.IsGenericMethod ? mi.GetGenericArguments() : [])
                                {
                                    yield return argument;
                                }
                            }

                            break;
                        case FieldInfo f:
                            yield return f.DeclaringType!;
                            yield return f.FieldType;
                            break;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8 or OperandType.InlineR:
                    at += 8;
                    break;
                case OperandType.InlineNone:
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }
}

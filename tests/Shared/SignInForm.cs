using System.Net;
using System.Text.RegularExpressions;

namespace BatchDashboard.Tests.Shared;

/// <summary>The dashboard's sign-in form as a browser posts it: the rendered form's antiforgery token and the fields.</summary>
public static partial class SignInForm
{
    public static FormUrlEncodedContent Fill(string formHtml, string name, string password, string returnUrl = "") => new(new Dictionary<string, string>
    {
        ["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(formHtml).Groups["value"].Value),
        ["name"] = name,
        ["password"] = password,
        ["returnUrl"] = returnUrl,
    });

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"(?<value>[^\"]+)\"|type=\"hidden\" name=\"__RequestVerificationToken\" value=\"(?<value>[^\"]+)\"")]
    private static partial Regex AntiforgeryField();
}

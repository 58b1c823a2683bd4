using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Registry.Api.Web;
using Registry.Matching;

namespace Registry.Api.Tests.Review;

/// <summary>Link rules and review reasons are stored as codes; stewards and auditors read them in their language.</summary>
public sealed class ReviewTextTests
{
    private static UiText Text(string lang)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers.Cookie = $"{UiText.Cookie}={lang}";
        return new UiText(new FixedContext(context));
    }

    // HttpContextAccessor keeps its context in one static async-local: two of them in one test would share it.
    private sealed class FixedContext(HttpContext context) : IHttpContextAccessor
    {
        public HttpContext? HttpContext { get => context; set { } }
    }

    [Fact]
    public void Every_review_reason_reads_as_a_sentence_in_Spanish_and_in_English()
    {
        var (es, en) = (Text("es"), Text("en"));
        foreach (var reason in Enum.GetValues<ReviewReason>())
        {
            var (spanish, english) = (es.Reason(reason.Code()), en.Reason(reason.Code()));
            Assert.NotEqual(reason.Code(), spanish);
            Assert.NotEqual(spanish, english);
        }
        Assert.Equal("Only the names agree: nothing tells namesakes apart (birth date, CURP, another id, phone, street and number)",
            en.Reason("names-only"));
    }

    [Fact]
    public void Every_link_rule_reads_as_words_in_Spanish_and_in_English()
    {
        var (es, en) = (Text("es"), Text("en"));
        foreach (var rule in Enum.GetValues<LinkRule>())
        {
            var (spanish, english) = (es.Rule(rule.Code()), en.Rule(rule.Code()));
            Assert.NotEqual(rule.Code(), spanish);
            Assert.NotEqual(spanish, english);
        }
        Assert.Equal("Por puntaje", es.Rule("probabilistic"));
    }

    [Fact]
    public void A_stored_text_this_build_does_not_know_is_shown_as_stored()
    {
        Assert.Equal("a reason written by hand", Text("en").Reason("a reason written by hand"));
        Assert.Equal("some-future-rule", Text("es").Rule("some-future-rule"));
    }

    [Fact]
    public void Territory_words_follow_the_deployments_country()
    {
        var context = new DefaultHttpContext();
        UiText For(string? country) => new(new FixedContext(context), new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Registry:Country"] = country }).Build());
        var (mexico, colombia, unset) = (For("MX"), For("co"), new UiText(new FixedContext(context)));
        Assert.Equal(("Polígono", "Colonia", "Otro identificador"), (mexico.Field("poligono"), mexico.Field("colonia"), mexico.Field("other_id")));
        Assert.Equal(("Comuna o corregimiento", "Barrio", "Documento de identidad"), (colombia.Field("comuna"), colombia.Field("barrio"), colombia.Field("other_id")));
        // The territory slot is one: a Colombian deployment names Mexico's field by its own word.
        Assert.Equal("Comuna o corregimiento", colombia.Field("poligono"));
        Assert.Equal("Polígono", unset.TerritoryWord);
        Assert.Equal("Los registros llevan dos documentos válidos distintos del mismo tipo (dos cédulas, dos NUIP)", colombia.Reason("two-valid-documents"));
    }
}
